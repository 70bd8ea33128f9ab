{
  # Alternative build with node-gyp (the default build is cmake-js, see CMakeLists.txt):
  #   npm run build:gyp     (passes --nodedir pointing at the running Node's headers)
  # The tree-sitter runtime, the grammars (native/grammars.json), node-addon-api and node-api-headers are found by
  # scripts/native-deps.cjs with Node's module resolution, as in CMakeLists.txt.
  "targets": [
    {
      "target_name": "treesitter",
      "type": "static_library",
      "sources": ["<!@(node scripts/native-deps.cjs gyp-ts-sources)"],
      "include_dirs": ["<!@(node scripts/native-deps.cjs gyp-ts-includes)"],
      "cflags_c": ["-std=c11", "-O3", "-w"],
      "defines": ["_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"]
    },
    {
      "target_name": "codeblock",
      "dependencies": ["treesitter"],
      "sources": [
        "<!@(node -e \"const fs=require('fs');for(const d of ['native/core','native/lang','native/napi'])for(const f of fs.readdirSync(d).sort())if(f.endsWith('.cc'))console.log(d+'/'+f)\")"
      ],
      "include_dirs": [
        "<!@(node scripts/native-deps.cjs gyp-napi-includes)",
        "native"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3"]
    }
  ]
}
