// Status and array views shared by the mask / packing / bitset core (no Node-API dependency).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace codeblock {

// Result of a core batch call. kTypeError / kRangeError map to JS TypeError / RangeError.
struct Status {
  enum Code { kOk = 0, kTypeError = 1, kRangeError = 2 };
  Code code = kOk;
  std::string message;
  bool ok() const { return code == kOk; }
  static Status Ok() { return Status(); }
  static Status Range(std::string m) {
    Status s;
    s.code = kRangeError;
    s.message = std::move(m);
    return s;
  }
  static Status Type(std::string m) {
    Status s;
    s.code = kTypeError;
    s.message = std::move(m);
    return s;
  }
};

// A read-only view over caller memory (a TypedArray's data, zero-copy).
template <class T>
struct View {
  const T* data = nullptr;
  size_t size = 0;
  View() = default;
  View(const T* d, size_t n) : data(d), size(n) {}
  const T& operator[](size_t i) const { return data[i]; }
};

// Validates a CSR row-pointer array `index` (length rows+1) over `total` elements: index[0] == 0,
// non-decreasing, index[rows] == total. `what` names it in the message. Copies it into `out`
// so later reads cannot be changed under us (e.g. a SharedArrayBuffer written by another thread).
Status CheckIndex(View<int32_t> index, size_t total, const char* what, const char* unit,
                  std::basic_string<int32_t>* out);

}  // namespace codeblock
