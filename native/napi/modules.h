// Registration hooks: each native concern exports its batch calls from one file in native/napi/.
#pragma once
#include <napi.h>

namespace codeblock::napi {
void RegisterStructure(Napi::Env env, Napi::Object exports);  // structure.cc: segments, items, def-use, reach/bridge
void RegisterPack(Napi::Env env, Napi::Object exports);       // pack.cc: label masks, BFD packing, bitsets
void RegisterLanguages(Napi::Env env, Napi::Object exports);  // languages.cc: the language registry
}  // namespace codeblock::napi
