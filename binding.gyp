{
  # Alternative build with node-gyp (the default build is cmake-js, see CMakeLists.txt):
  #   npm run build:gyp     (passes --nodedir pointing at the running Node's headers)
  "targets": [
    {
      "target_name": "treesitter",
      "type": "static_library",
      "sources": [
        "node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c",
        "node_modules/tree-sitter-python/src/parser.c",
        "node_modules/tree-sitter-python/src/scanner.c"
      ],
      "include_dirs": [
        "node_modules/tree-sitter/vendor/tree-sitter/lib/include",
        "node_modules/tree-sitter/vendor/tree-sitter/lib/src",
        "node_modules/tree-sitter-python/src"
      ],
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
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "node_modules/tree-sitter/vendor/tree-sitter/lib/include",
        "native"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3"]
    }
  ]
}
