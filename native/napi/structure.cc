// Node-API wrapper of the structure core: one call per batch of responses, typed arrays out.
#include "core/structure.h"

#include <napi.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "args.h"
#include "core/graph.h"
#include "core/work.h"
#include "lang/language.h"
#include "modules.h"

namespace codeblock::napi {
namespace {

// The options object of analyzeStructure / parseOnly (info[1]; absent or undefined: the defaults).
// `fn` names the call in the error messages.
StructureOptions StructureOptionsArg(const Napi::CallbackInfo& info, const std::string& fn) {
  Napi::Env env = info.Env();
  StructureOptions opt;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsObject()) throw Napi::TypeError::New(env, fn + ": options must be an object");
    Napi::Object o = info[1].As<Napi::Object>();
    double g = NumberOpt(o, "structure", "granularity", 0);
    if (g != 0 && g != 1 && g != 2) throw Napi::RangeError::New(env, fn + ": granularity must be 0, 1 or 2");
    opt.granularity = static_cast<Granularity>(static_cast<int32_t>(g));
    double bm = NumberOpt(o, "structure", "blockMaxCodePoints", opt.block_max_code_points);
    double bl = NumberOpt(o, "structure", "blockMaxLines", opt.block_max_lines);
    if (!(bm >= 0 && bm <= 4294967295.0) || !(bl >= 0 && bl <= 4294967295.0))
      throw Napi::RangeError::New(env, fn + ": blockMaxCodePoints / blockMaxLines must be >= 0");
    opt.block_max_code_points = static_cast<uint32_t>(bm);
    opt.block_max_lines = static_cast<uint32_t>(bl);
    double wb = NumberOpt(o, "structure", "workBudget", static_cast<double>(opt.work_budget));
    if (!(wb >= 0 && wb <= 9007199254740991.0) || wb != static_cast<double>(static_cast<uint64_t>(wb)))
      throw Napi::RangeError::New(env, fn + ": workBudget must be an integer >= 0");
    opt.work_budget = static_cast<uint64_t>(wb);
    opt.wall_timeout_ms = NumberOpt(o, "structure", "wallTimeoutMs", opt.wall_timeout_ms);
    double mi = NumberOpt(o, "structure", "maxItems", opt.max_items);
    if (!(mi >= 0 && mi <= 4294967295.0)) throw Napi::RangeError::New(env, fn + ": maxItems must be >= 0");
    opt.max_items = static_cast<uint32_t>(mi);
    if (opt.wall_timeout_ms != opt.wall_timeout_ms) throw Napi::RangeError::New(env, fn + ": wallTimeoutMs is NaN");
    Napi::Value lv = o.Get("languages");
    if (!lv.IsUndefined()) {
      if (!lv.IsArray()) throw Napi::TypeError::New(env, fn + ": languages must be an array of names");
      Napi::Array la = lv.As<Napi::Array>();
      for (uint32_t i = 0; i < la.Length(); i++) {
        Napi::Value x = la.Get(i);
        std::string name = x.IsString() ? x.As<Napi::String>().Utf8Value() : std::string();
        bool known = false;
        for (const LanguageTables* L : registered_languages()) known = known || name == L->name;
        if (!known)
          throw Napi::RangeError::New(env, fn + ": languages[" + std::to_string(i) + "] is not a registered language");
        opt.languages.push_back(name);
      }
      if (opt.languages.empty()) throw Napi::RangeError::New(env, fn + ": languages is empty");
    }
  }
  return opt;
}

// info[0] as an array of strings, each as UTF-8.
std::vector<std::string> ResponsesArg(const Napi::CallbackInfo& info, const std::string& fn) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray())
    throw Napi::TypeError::New(env, fn + ": responses must be an array of strings");
  Napi::Array arr = info[0].As<Napi::Array>();
  const uint32_t n = arr.Length();
  std::vector<std::string> texts(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value v = arr.Get(i);
    if (!v.IsString()) throw Napi::TypeError::New(env, fn + ": responses[" + std::to_string(i) + "] is not a string");
    texts[i] = v.As<Napi::String>().Utf8Value();
  }
  return texts;
}

// analyzeStructure(responses: string[], opts?: {granularity?: 0|1|2, blockMaxCodePoints?, blockMaxLines?,
// workBudget?, wallTimeoutMs?, maxItems?, languages?: string[]}) → columns (see src/structure/native.ts for the
// layout).
Napi::Value AnalyzeStructure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<std::string> texts = ResponsesArg(info, "analyzeStructure");  // checks the array first
  const StructureOptions opt = StructureOptionsArg(info, "analyzeStructure");
  const uint32_t n = static_cast<uint32_t>(texts.size());

  std::vector<int32_t> status(n), segOff(n + 1, 0), segStart, segEnd, segLang, itemOff(n + 1, 0), itemStart, itemEnd,
      itemKind, itemType, itemSegment, itemFlags, coreOff{0}, coreStart, coreEnd, edgeOff(n + 1, 0), edgeFrom, edgeTo,
      proseOff(n + 1, 0), proseStart, proseEnd;
  std::vector<double> reach, bridge, work(n);
  std::vector<std::string> langs, types;
  std::unordered_map<std::string, int32_t> langIdx;
  std::unordered_map<const char*, int32_t> typeIdx;  // grammar-owned static strings
  for (uint32_t r = 0; r < n; r++) {
    StructureResult res = analyze_structure(texts[r], opt);
    status[r] = static_cast<int32_t>(res.status);
    work[r] = static_cast<double>(res.work);
    if (res.status == RecordStatus::Ok) {
      for (const SegmentOut& s : res.segments) {
        segStart.push_back(static_cast<int32_t>(s.start));
        segEnd.push_back(static_cast<int32_t>(s.end));
        auto it = langIdx.find(s.lang);
        if (it == langIdx.end()) {
          it = langIdx.emplace(s.lang, static_cast<int32_t>(langs.size())).first;
          langs.push_back(s.lang);
        }
        segLang.push_back(it->second);
      }
      for (const ItemOut& it : res.items) {
        itemStart.push_back(static_cast<int32_t>(it.start));
        itemEnd.push_back(static_cast<int32_t>(it.end));
        itemKind.push_back(static_cast<int32_t>(it.kind));
        auto t = typeIdx.find(it.type);
        if (t == typeIdx.end()) {
          t = typeIdx.emplace(it.type, static_cast<int32_t>(types.size())).first;
          types.push_back(it.type);
        }
        itemType.push_back(t->second);
        itemSegment.push_back(it.segment);
        itemFlags.push_back(static_cast<int32_t>(it.flags));
        for (uint32_t c = it.core_begin; c < it.core_end; c++) {
          coreStart.push_back(static_cast<int32_t>(res.core[c].first));
          coreEnd.push_back(static_cast<int32_t>(res.core[c].second));
        }
        coreOff.push_back(static_cast<int32_t>(coreStart.size()));
      }
      for (auto& e : res.edges) {
        edgeFrom.push_back(e.first);
        edgeTo.push_back(e.second);
      }
      for (auto& p : res.prose) {
        proseStart.push_back(static_cast<int32_t>(p.first));
        proseEnd.push_back(static_cast<int32_t>(p.second));
      }
      reach.insert(reach.end(), res.reach.begin(), res.reach.end());
      bridge.insert(bridge.end(), res.bridge.begin(), res.bridge.end());
    }
    segOff[r + 1] = static_cast<int32_t>(segStart.size());
    itemOff[r + 1] = static_cast<int32_t>(itemStart.size());
    edgeOff[r + 1] = static_cast<int32_t>(edgeFrom.size());
    proseOff[r + 1] = static_cast<int32_t>(proseStart.size());
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", Napi::Number::New(env, n));
  out.Set("status", CopyOut(env, status));
  out.Set("segOffsets", CopyOut(env, segOff));
  out.Set("segStart", CopyOut(env, segStart));
  out.Set("segEnd", CopyOut(env, segEnd));
  out.Set("segLang", CopyOut(env, segLang));
  out.Set("langs", StringsOut(env, langs));
  out.Set("itemOffsets", CopyOut(env, itemOff));
  out.Set("itemStart", CopyOut(env, itemStart));
  out.Set("itemEnd", CopyOut(env, itemEnd));
  out.Set("itemKind", CopyOut(env, itemKind));
  out.Set("itemType", CopyOut(env, itemType));
  out.Set("types", StringsOut(env, types));
  out.Set("itemSegment", CopyOut(env, itemSegment));
  out.Set("itemFlags", CopyOut(env, itemFlags));
  out.Set("coreOffsets", CopyOut(env, coreOff));
  out.Set("coreStart", CopyOut(env, coreStart));
  out.Set("coreEnd", CopyOut(env, coreEnd));
  out.Set("edgeOffsets", CopyOut(env, edgeOff));
  out.Set("edgeFrom", CopyOut(env, edgeFrom));
  out.Set("edgeTo", CopyOut(env, edgeTo));
  out.Set("proseOffsets", CopyOut(env, proseOff));
  out.Set("proseStart", CopyOut(env, proseStart));
  out.Set("proseEnd", CopyOut(env, proseEnd));
  out.Set("reach", CopyOut(env, reach));
  out.Set("bridge", CopyOut(env, bridge));
  out.Set("work", CopyOut(env, work));
  return out;
}

// parseOnly(responses: string[], opts?: as analyzeStructure) → {count, status, segments, bytes, nodes, work}:
// per record the status (0 ok, 1 no itemized segment, 2 work budget, 4 wall timeout), the itemized
// segments parsed, their UTF-8 bytes, visible tree nodes and the parse's work units (core/structure.h parse_only). The
// benchmark's parse-only limit of the structure stage (bench/structure_parse.ts).
Napi::Value ParseOnly(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<std::string> texts = ResponsesArg(info, "parseOnly");  // checks the array first
  const StructureOptions opt = StructureOptionsArg(info, "parseOnly");
  const size_t n = texts.size();
  std::vector<int32_t> status(n), segments(n);
  std::vector<double> bytes(n), nodes(n), work(n);
  for (size_t r = 0; r < n; r++) {
    ParseOnlyResult p = parse_only(texts[r], opt);
    status[r] = static_cast<int32_t>(p.status);
    segments[r] = static_cast<int32_t>(p.segments);
    bytes[r] = static_cast<double>(p.bytes);
    nodes[r] = static_cast<double>(p.nodes);
    work[r] = static_cast<double>(p.work);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", Napi::Number::New(env, static_cast<double>(n)));
  out.Set("status", CopyOut(env, status));
  out.Set("segments", CopyOut(env, segments));
  out.Set("bytes", CopyOut(env, bytes));
  out.Set("nodes", CopyOut(env, nodes));
  out.Set("work", CopyOut(env, work));
  return out;
}

// graphMetrics(n, from: Int32Array, to: Int32Array) → {reach: Float64Array, bridge: Float64Array, work: number}
// (work: the units graph_metrics charges, core/work.h; src/graph/reference.ts counts the same)
Napi::Value GraphMetrics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsTypedArray() || !info[2].IsTypedArray())
    throw Napi::TypeError::New(env, "graphMetrics(n, from: Int32Array, to: Int32Array)");
  double nd = info[0].As<Napi::Number>().DoubleValue();
  if (!(nd >= 0 && nd <= 1e8) || nd != static_cast<double>(static_cast<int64_t>(nd)))
    throw Napi::RangeError::New(env, "graphMetrics: n must be an integer in [0, 1e8]");
  if (info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(env, "graphMetrics: from/to must be Int32Array");
  Napi::Int32Array from = info[1].As<Napi::Int32Array>(), to = info[2].As<Napi::Int32Array>();
  if (from.ElementLength() != to.ElementLength())
    throw Napi::RangeError::New(env, "graphMetrics: from/to lengths differ");
  int32_t n = static_cast<int32_t>(nd);
  for (size_t k = 0; k < from.ElementLength(); k++)
    if (from[k] < 0 || from[k] >= n || to[k] < 0 || to[k] >= n)
      throw Napi::RangeError::New(env, "graphMetrics: edge endpoint out of range");
  std::vector<double> reach(n), bridge(n);
  work_meter().reset();  // unlimited: only counts
  graph_metrics(n, from.Data(), to.Data(), static_cast<int32_t>(from.ElementLength()), reach.data(), bridge.data());
  const double work = static_cast<double>(work_meter().used);
  work_meter().reset();
  Napi::Object out = Napi::Object::New(env);
  out.Set("reach", CopyOut(env, reach));
  out.Set("bridge", CopyOut(env, bridge));
  out.Set("work", Napi::Number::New(env, work));
  return out;
}

}  // namespace

void RegisterStructure(Napi::Env env, Napi::Object exports) {
  exports.Set("analyzeStructure", Napi::Function::New(env, AnalyzeStructure, "analyzeStructure"));
  exports.Set("parseOnly", Napi::Function::New(env, ParseOnly, "parseOnly"));
  exports.Set("graphMetrics", Napi::Function::New(env, GraphMetrics, "graphMetrics"));
}

}  // namespace codeblock::napi
