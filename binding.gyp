{
  "targets": [
    {
      "target_name": "auditcast",
      "sources": [
        "native/addon.cc",
        "native/bindings/args.cc",
        "native/bindings/part_encoder.cc",
        "native/bindings/inflate_section.cc",
        "native/bindings/frame_prints.cc",
        "native/bindings/deflate_chunk.cc",
        "native/bindings/scan_prints.cc",
        "native/bindings/pty_drain.cc",
        "native/core/buffer_pool.cc",
        "native/core/chunk_deflater.cc",
        "native/core/output_buffer.cc",
        "native/core/part_memory.cc",
        "native/core/part_assembler.cc",
        "native/core/section_inflater.cc",
        "native/core/print_framer.cc",
        "native/core/print_scanner.cc",
        "native/core/pty_drain.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "CHROMIUM_ZLIB_NO_CHROMECONF"
      ],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags": ["-O3"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_OPTIMIZATION_LEVEL": "3",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_LDFLAGS": ["-undefined", "dynamic_lookup"]
          }
        }],
        ["OS=='linux' and '<!(echo $AUDITCAST_SANITIZE)'=='1'", {
          "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
