// libFuzzer target: structure analysis of arbitrary responses. The first byte picks the options
// (granularity, small block limits, item cap, raw bytes or repaired to valid UTF-8 as from
// JavaScript), the rest is the response. Checks every invariant of
// test/structure_check.h and that a second analysis is identical; any crash, sanitizer report or
// broken invariant is a finding.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/structure.h"
#include "test/structure_check.h"

using namespace codeblock;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t o = data[0];
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!(o & 0x20)) text = test::to_valid_utf8(text);
  StructureOptions opt;
  opt.granularity = static_cast<Granularity>((o & 3) == 3 ? 0 : (o & 3));
  if (o & 0x04) {  // small blocks: exercise the block / split boundary
    opt.block_max_code_points = 16u << ((o >> 3) & 3);
    opt.block_max_lines = 1u + ((o >> 5) & 1) * 4;
  }
  if ((o & 0xC0) == 0xC0) opt.max_items = 8;
  if ((o & 0xC0) == 0x40) opt.work_budget = 2000u << ((o >> 3) & 7);  // stop at any stage: still deterministic
  opt.wall_timeout_ms = 0;
  StructureResult a = analyze_structure(text, opt);
  std::string broken = test::check_structure(text, a);
  if (!broken.empty()) {
    std::fprintf(stderr, "fuzz_structure: %s\n", broken.c_str());
    std::abort();
  }
  {  // the work budget is deterministic: the same status, work count and result every time
    StructureResult b = analyze_structure(text, opt);
    if (a.status != b.status || a.work != b.work || !test::same_structure(a, b)) {
      std::fprintf(stderr, "fuzz_structure: not deterministic\n");
      std::abort();
    }
  }
  return 0;
}
