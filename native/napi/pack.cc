// Node-API wrappers for label masks, packing and mask bitsets (native/core/mask*, pack*, bitset*).
// Inputs are read zero-copy from TypedArrays; every argument is type-checked here and every value is
// range-checked by the core, which reports a Status that becomes a TypeError / RangeError.
#include <string>
#include <vector>

#include "args.h"
#include "codeblock.h"
#include "modules.h"

namespace codeblock::napi {
namespace {

void Check(Napi::Env env, const Status& s, const char* fn) {
  if (s.ok()) return;
  const std::string msg = std::string(fn) + ": " + s.message;
  if (s.code == Status::kTypeError) throw Napi::TypeError::New(env, msg);
  throw Napi::RangeError::New(env, msg);
}

// maskLabels(charOffsets, sampleTokens, spans, sampleSpans, textLengths?) → { supervised, counts }
Napi::Value MaskLabels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "labelMask";
  LabelMaskInput in;
  in.char_offsets = TypedArg<int32_t>(info, 0, fn, "charOffsets");
  in.sample_tokens = TypedArg<int32_t>(info, 1, fn, "sampleTokens");
  in.spans = TypedArg<int32_t>(info, 2, fn, "spans");
  in.sample_spans = TypedArg<int32_t>(info, 3, fn, "sampleSpans");
  in.text_lengths = TypedArg<int32_t>(info, 4, fn, "textLengths", true);
  const size_t T = in.char_offsets.size / 2;
  const size_t S = in.sample_tokens.size ? in.sample_tokens.size - 1 : 0;
  std::vector<uint8_t> flags(T);
  std::vector<int32_t> counts(S);
  Check(env, LabelMask(in, flags.data(), counts.data()), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("supervised", MoveOut(env, std::move(flags)));
  out.Set("counts", MoveOut(env, std::move(counts)));
  return out;
}

// packBfd(lengths, maxLen) → { packOf, reasons, packSamples, packStarts, packTokens, rejected }
Napi::Value PackBfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "packBFD";
  View<int32_t> lengths = TypedArg<int32_t>(info, 0, fn, "lengths");
  const int64_t max_len = IntArg(info, 1, fn, "maxLen");
  PackPlan plan;
  Check(env, PackBFD(lengths, max_len, &plan), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("packOf", MoveOut(env, std::move(plan.pack_of)));
  out.Set("reasons", MoveOut(env, std::move(plan.reason)));
  out.Set("packSamples", MoveOut(env, std::move(plan.pack_samples)));
  out.Set("packStarts", MoveOut(env, std::move(plan.pack_starts)));
  out.Set("packTokens", MoveOut(env, std::move(plan.pack_tokens)));
  out.Set("rejected", MoveOut(env, std::move(plan.rejected)));
  return out;
}

// packAssemble(inputIds, supervised, sampleTokens, packSamples, packStarts, maxLen) → {...}
Napi::Value PackAssemble(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "assemblePacks";
  AssembleInput in;
  in.input_ids = TypedArg<int32_t>(info, 0, fn, "inputIds");
  in.supervised = TypedArg<uint8_t>(info, 1, fn, "supervised");
  in.sample_tokens = TypedArg<int32_t>(info, 2, fn, "sampleTokens");
  in.pack_samples = TypedArg<int32_t>(info, 3, fn, "packSamples");
  in.pack_starts = TypedArg<int32_t>(info, 4, fn, "packStarts");
  in.max_len = IntArg(info, 5, fn, "maxLen");
  AssembleOutput o;
  Check(env, AssemblePacks(in, &o), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("inputIds", MoveOut(env, std::move(o.input_ids)));
  out.Set("labels", MoveOut(env, std::move(o.labels)));
  out.Set("positionIds", MoveOut(env, std::move(o.position_ids)));
  out.Set("packTokenStarts", MoveOut(env, std::move(o.pack_token_starts)));
  out.Set("seqLens", MoveOut(env, std::move(o.seq_lens)));
  out.Set("numSupervised", MoveOut(env, std::move(o.num_supervised)));
  out.Set("sampleNumSupervised", MoveOut(env, std::move(o.sample_num_supervised)));
  return out;
}

// maskBitsEncode(flags, sampleFlags) → { bits, byteStarts }
Napi::Value MaskBitsEncode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "encodeMaskBits";
  View<uint8_t> flags = TypedArg<uint8_t>(info, 0, fn, "flags");
  View<int32_t> index = TypedArg<int32_t>(info, 1, fn, "sampleFlags");
  std::vector<uint8_t> bits;
  std::vector<int32_t> starts;
  Check(env, EncodeBits(flags, index, &bits, &starts), fn);
  Napi::Object out = Napi::Object::New(env);
  out.Set("bits", MoveOut(env, std::move(bits)));
  out.Set("byteStarts", MoveOut(env, std::move(starts)));
  return out;
}

// maskBitsDecode(bits, sampleFlags) → Uint8Array flags
Napi::Value MaskBitsDecode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "decodeMaskBits";
  View<uint8_t> bits = TypedArg<uint8_t>(info, 0, fn, "bits");
  View<int32_t> index = TypedArg<int32_t>(info, 1, fn, "sampleFlags");
  std::vector<uint8_t> flags;
  Check(env, DecodeBits(bits, index, &flags), fn);
  return MoveOut(env, std::move(flags));
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
