// Node-API view of the language registry (native/lang/): the TypeScript side reads the registered
// languages from here instead of naming any itself (src/structure/languages.ts).
#include <napi.h>

#include "lang/language.h"
#include "modules.h"

namespace codeblock::napi {
namespace {

// languages() → [{ name, displayName, fenceAliases: string[], testOnly, braced, hostOnly }] in registry order.
Napi::Value Languages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& langs = registered_languages();
  Napi::Array out = Napi::Array::New(env, langs.size());
  for (size_t i = 0; i < langs.size(); i++) {
    const LanguageTables* l = langs[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, l->name));
    o.Set("displayName", Napi::String::New(env, l->display_name ? l->display_name : l->name));
    Napi::Array aliases = Napi::Array::New(env, l->fence_aliases.size());
    for (size_t j = 0; j < l->fence_aliases.size(); j++)
      aliases.Set(static_cast<uint32_t>(j), Napi::String::New(env, l->fence_aliases[j]));
    o.Set("fenceAliases", aliases);
    o.Set("testOnly", Napi::Boolean::New(env, l->test_only));
    o.Set("braced", Napi::Boolean::New(env, l->items.body_open != nullptr));
    o.Set("hostOnly", Napi::Boolean::New(env, !l->inject.itemize_host));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

}  // namespace

void RegisterLanguages(Napi::Env env, Napi::Object exports) {
  exports.Set("languages", Napi::Function::New(env, Languages, "languages"));
}

}  // namespace codeblock::napi
