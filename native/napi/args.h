// Shared helpers of the Node-API wrappers in native/napi/*.cc: argument unpacking with one-line
// TypeError / RangeError messages, and typed-array results. The TypeScript side of these calls is
// typed in src/addon.ts.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codeblock.h"

namespace codeblock::napi {

template <class T>
struct TypedArrayTraits;
template <>
struct TypedArrayTraits<int32_t> {
  static constexpr napi_typedarray_type kType = napi_int32_array;
  static constexpr const char* kName = "an Int32Array";
};
template <>
struct TypedArrayTraits<uint8_t> {
  static constexpr napi_typedarray_type kType = napi_uint8_array;
  static constexpr const char* kName = "a Uint8Array";
};

inline const char* TypedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
      return "Int8Array";
    case napi_uint8_array:
      return "Uint8Array";
    case napi_uint8_clamped_array:
      return "Uint8ClampedArray";
    case napi_int16_array:
      return "Int16Array";
    case napi_uint16_array:
      return "Uint16Array";
    case napi_int32_array:
      return "Int32Array";
    case napi_uint32_array:
      return "Uint32Array";
    case napi_float32_array:
      return "Float32Array";
    case napi_float64_array:
      return "Float64Array";
    case napi_bigint64_array:
      return "BigInt64Array";
    case napi_biguint64_array:
      return "BigUint64Array";
    default:
      return "TypedArray";
  }
}

// What a JS value is, for error messages ("got Float64Array").
inline std::string Describe(const Napi::Value& v) {
  if (v.IsTypedArray()) return TypedArrayName(v.As<Napi::TypedArray>().TypedArrayType());
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsArray()) return "Array";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsArrayBuffer()) return "ArrayBuffer";
  return "object";
}

// Argument `i` as a TypedArray of exactly T (zero-copy view), else TypeError naming `fn`/`name`.
// `optional`: undefined / null give an empty view.
template <class T>
View<T> TypedArg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, bool optional = false) {
  Napi::Value v = info[i];
  if (optional && (v.IsUndefined() || v.IsNull())) return View<T>();
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::kType)
    throw Napi::TypeError::New(
        info.Env(), std::string(fn) + ": " + name + " must be " + TypedArrayTraits<T>::kName + ", got " + Describe(v));
  auto a = v.As<Napi::TypedArrayOf<T>>();
  return View<T>(a.Data(), a.ElementLength());
}

// Argument `i` as an integer (a finite whole number within ±9e15), else TypeError / RangeError.
inline int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a number, got " + Describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d < -9.0e15 || d > 9.0e15)
    throw Napi::RangeError::New(info.Env(),
                                std::string(fn) + ": " + name + " must be an integer, got " + v.ToString().Utf8Value());
  return static_cast<int64_t>(d);
}

// Option `key` of an options object as a number; `dflt` when absent or undefined, else TypeError
// ("<what> option <key> must be a number").
inline double NumberOpt(const Napi::Object& o, const char* what, const char* key, double dflt) {
  if (!o.Has(key)) return dflt;
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return dflt;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(what) + " option " + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

// A fresh TypedArray holding a copy of `v`.
template <class T>
Napi::TypedArrayOf<T> CopyOut(Napi::Env env, const std::vector<T>& v) {
  auto out = Napi::TypedArrayOf<T>::New(env, v.size());
  if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size() * sizeof(T));
  return out;
}

// Hands a result vector to JS without copying: the TypedArray's buffer is the vector's storage,
// freed by the finalizer when the buffer is collected. Small results are copied (cheaper than a
// finalizer); empty ones get a fresh empty array.
template <class T>
Napi::TypedArrayOf<T> MoveOut(Napi::Env env, std::vector<T>&& v) {
  const size_t n = v.size();
  if (n < 4096) return CopyOut(env, v);
  auto* owned = new std::vector<T>(std::move(v));
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(
      env, owned->data(), n * sizeof(T), [](Napi::Env, void*, std::vector<T>* p) { delete p; }, owned);
  return Napi::TypedArrayOf<T>::New(env, n, buf, 0);
}

// A JS array of strings.
inline Napi::Array StringsOut(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array out = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::String::New(env, v[i]));
  return out;
}

}  // namespace codeblock::napi
