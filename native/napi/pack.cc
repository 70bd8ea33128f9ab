// Node-API wrappers for label masks, packing and mask bitsets (native/core/mask*, pack*, bitset*).
// Inputs are read zero-copy from TypedArrays; every argument is type-checked here and every value is
// range-checked by the core, which reports a Status that becomes a TypeError / RangeError.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "codeblock.h"
#include "modules.h"

namespace codeblock::napi {
namespace {

template <class T> struct TA;
template <> struct TA<int32_t> { static constexpr napi_typedarray_type kType = napi_int32_array; static constexpr const char* kName = "an Int32Array"; };
template <> struct TA<uint8_t> { static constexpr napi_typedarray_type kType = napi_uint8_array; static constexpr const char* kName = "a Uint8Array"; };

const char* TypedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

std::string Describe(const Napi::Value& v) {
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
template <class T>
View<T> Arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, bool optional = false) {
  Napi::Value v = info[i];
  if (optional && (v.IsUndefined() || v.IsNull())) return View<T>();
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TA<T>::kType)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be " + TA<T>::kName + ", got " + Describe(v));
  auto a = v.As<Napi::TypedArrayOf<T>>();
  return View<T>(a.Data(), a.ElementLength());
}

int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a number, got " + Describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d < -9.0e15 || d > 9.0e15)
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + name + " must be an integer, got " + v.ToString().Utf8Value());
  return static_cast<int64_t>(d);
}

void Check(Napi::Env env, const Status& s, const char* fn) {
  if (s.ok()) return;
  const std::string msg = std::string(fn) + ": " + s.message;
  if (s.code == Status::kTypeError) throw Napi::TypeError::New(env, msg);
  throw Napi::RangeError::New(env, msg);
}

// Hands a result vector to JS without copying: the TypedArray's buffer is the vector's storage,
// freed by the finalizer when the buffer is collected. Small results are copied (cheaper than a
// finalizer); empty ones get a fresh empty array.
template <class T>
Napi::TypedArrayOf<T> Out(Napi::Env env, std::vector<T>&& v) {
  const size_t n = v.size();
  if (n < 4096) {
    auto a = Napi::TypedArrayOf<T>::New(env, n);
    if (n) std::memcpy(a.Data(), v.data(), n * sizeof(T));
    return a;
  }
  auto* owned = new std::vector<T>(std::move(v));
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, owned->data(), n * sizeof(T),
                                                 [](Napi::Env, void*, std::vector<T>* p) { delete p; }, owned);
  return Napi::TypedArrayOf<T>::New(env, n, buf, 0);
}

// maskLabels(charOffsets, sampleTokens, spans, sampleSpans, textLengths?) → { supervised, counts }
Napi::Value MaskLabels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "labelMask";
  LabelMaskInput in;
  in.char_offsets = Arg<int32_t>(info, 0, fn, "charOffsets");
  in.sample_tokens = Arg<int32_t>(info, 1, fn, "sampleTokens");
  in.spans = Arg<int32_t>(info, 2, fn, "spans");
  in.sample_spans = Arg<int32_t>(info, 3, fn, "sampleSpans");
  in.text_lengths = Arg<int32_t>(info, 4, fn, "textLengths", true);
  const size_t T = in.char_offsets.size / 2;
  const size_t S = in.sample_tokens.size ? in.sample_tokens.size - 1 : 0;
  std::vector<uint8_t> flags(T);
  std::vector<int32_t> counts(S);
  Check(env, LabelMask(in, flags.data(), counts.data()), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("supervised", Out(env, std::move(flags)));
  out.Set("counts", Out(env, std::move(counts)));
  return out;
}

// packBfd(lengths, maxLen) → { packOf, reasons, packSamples, packStarts, packTokens, rejected }
Napi::Value PackBfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "packBFD";
  View<int32_t> lengths = Arg<int32_t>(info, 0, fn, "lengths");
  const int64_t max_len = IntArg(info, 1, fn, "maxLen");
  PackPlan plan;
  Check(env, PackBFD(lengths, max_len, &plan), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("packOf", Out(env, std::move(plan.pack_of)));
  out.Set("reasons", Out(env, std::move(plan.reason)));
  out.Set("packSamples", Out(env, std::move(plan.pack_samples)));
  out.Set("packStarts", Out(env, std::move(plan.pack_starts)));
  out.Set("packTokens", Out(env, std::move(plan.pack_tokens)));
  out.Set("rejected", Out(env, std::move(plan.rejected)));
  return out;
}

// packAssemble(inputIds, supervised, sampleTokens, packSamples, packStarts, maxLen) → {...}
Napi::Value PackAssemble(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "assemblePacks";
  AssembleInput in;
  in.input_ids = Arg<int32_t>(info, 0, fn, "inputIds");
  in.supervised = Arg<uint8_t>(info, 1, fn, "supervised");
  in.sample_tokens = Arg<int32_t>(info, 2, fn, "sampleTokens");
  in.pack_samples = Arg<int32_t>(info, 3, fn, "packSamples");
  in.pack_starts = Arg<int32_t>(info, 4, fn, "packStarts");
  in.max_len = IntArg(info, 5, fn, "maxLen");
  AssembleOutput o;
  Check(env, AssemblePacks(in, &o), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("inputIds", Out(env, std::move(o.input_ids)));
  out.Set("labels", Out(env, std::move(o.labels)));
  out.Set("positionIds", Out(env, std::move(o.position_ids)));
  out.Set("packTokenStarts", Out(env, std::move(o.pack_token_starts)));
  out.Set("seqLens", Out(env, std::move(o.seq_lens)));
  out.Set("numSupervised", Out(env, std::move(o.num_supervised)));
  out.Set("sampleNumSupervised", Out(env, std::move(o.sample_num_supervised)));
  return out;
}

// maskBitsEncode(flags, sampleFlags) → { bits, byteStarts }
Napi::Value MaskBitsEncode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "encodeMaskBits";
  View<uint8_t> flags = Arg<uint8_t>(info, 0, fn, "flags");
  View<int32_t> index = Arg<int32_t>(info, 1, fn, "sampleFlags");
  std::vector<uint8_t> bits;
  std::vector<int32_t> starts;
  Check(env, EncodeBits(flags, index, &bits, &starts), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("bits", Out(env, std::move(bits)));
  out.Set("byteStarts", Out(env, std::move(starts)));
  return out;
}

// maskBitsDecode(bits, sampleFlags) → Uint8Array flags
Napi::Value MaskBitsDecode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "decodeMaskBits";
  View<uint8_t> bits = Arg<uint8_t>(info, 0, fn, "bits");
  View<int32_t> index = Arg<int32_t>(info, 1, fn, "sampleFlags");
  std::vector<uint8_t> flags;
  Check(env, DecodeBits(bits, index, &flags), fn);
  return Out(env, std::move(flags));
}

}  // namespace

void RegisterPack(Napi::Env env, Napi::Object exports) {
  exports.Set("maskLabels", Napi::Function::New(env, MaskLabels, "maskLabels"));
  exports.Set("packBfd", Napi::Function::New(env, PackBfd, "packBfd"));
  exports.Set("packAssemble", Napi::Function::New(env, PackAssemble, "packAssemble"));
  exports.Set("maskBitsEncode", Napi::Function::New(env, MaskBitsEncode, "maskBitsEncode"));
  exports.Set("maskBitsDecode", Napi::Function::New(env, MaskBitsDecode, "maskBitsDecode"));
}

}  // namespace codeblock::napi
