// Module entry. The addon holds no process-wide mutable state: anything a call needs across
// calls (e.g. a tree-sitter parser) lives in thread_local storage or per-environment instance
// data, so the module is safe to load in several worker threads at once.
#include <napi.h>
#include <tree_sitter/api.h>

#include "modules.h"

extern "C" const TSLanguage* tree_sitter_python(void);

namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  out.Set("treeSitterLanguageVersion", Napi::Number::New(env, TREE_SITTER_LANGUAGE_VERSION));
  out.Set("pythonGrammarAbi", Napi::Number::New(env, ts_language_abi_version(tree_sitter_python())));
#if defined(__clang__)
  out.Set("compiler", Napi::String::New(env, "clang " __clang_version__));
#elif defined(__GNUC__)
  out.Set("compiler", Napi::String::New(env, "gcc " __VERSION__));
#endif
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  codeblock::napi::RegisterStructure(env, exports);
  codeblock::napi::RegisterPack(env, exports);
  codeblock::napi::RegisterLanguages(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(codeblock, Init)
