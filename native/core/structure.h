// Structure analysis of one response (docs/structure.md): segments, coding items, core logic ranges,
// def-use item graph, reach and bridge. Language-neutral: language specifics come from the tables
// in native/lang/. Offsets in the result are Unicode code points into the response.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace codeblock {

enum class Granularity : int32_t { Statement = 0, Block = 1, Function = 2 };

// The default work budget (src/structure/native.ts keeps the same number; docs/structure.md has
// the measurements that size it).
constexpr uint64_t kDefaultWorkBudget = 20000000;

struct StructureOptions {
  Granularity granularity = Granularity::Statement;
  // `block` granularity: a whole compound statement is one item while its span is at most this
  // many code points (and at most block_max_lines lines); larger ones split into header/clauses/body.
  uint32_t block_max_code_points = 1024;
  uint32_t block_max_lines = 32;
  // Per-record work budget in work units (core/work.h; docs/structure.md, "Work budget"): parsing,
  // trees, def-use and graph together; past it the record is WorkBudget. 0: unlimited.
  uint64_t work_budget = kDefaultWorkBudget;
  // Outer wall-clock safety net per record (the whole analysis); past it WallTimeout. <= 0: none.
  double wall_timeout_ms = 10000.0;
  // Records with more items are rejected (too_long): the graph metrics are O(n·(n + edges)).
  // 0 = unlimited.
  uint32_t max_items = 20000;
  // Itemized languages (canonical names); empty = every registered language. Segments of other
  // languages are treated as unregistered code (no items, never prose), and untagged blocks are
  // detected among these only.
  std::vector<std::string> languages;
};

enum class ItemKind : int32_t { Simple = 0, Header = 1, Clause = 2, Block = 3 };
enum ItemFlag : uint32_t { kFlagError = 1u, kFlagMissing = 2u };
// WorkBudget: the record's work units ran past StructureOptions::work_budget (deterministic);
// WallTimeout: the wall-clock safety net ran out first (depends on the machine: normally never).
enum class RecordStatus : int32_t { Ok = 0, NoCode = 1, WorkBudget = 2, TooLong = 3, WallTimeout = 4 };

struct SegmentOut {
  uint32_t start, end;  // code points; content only (fence lines excluded)
  std::string lang;     // canonical language ("python") or lower-cased fence tag; "unknown" when untagged
  bool itemized;        // its grammar is registered (items come from it)
};

struct ItemOut {
  uint32_t start, end;  // code points, whole-line extended (see docs/structure.md)
  ItemKind kind;
  const char* type;               // tree-sitter node type (static string owned by the grammar)
  int32_t segment;                // index into segments
  uint32_t flags;                 // ItemFlag bits
  uint32_t core_begin, core_end;  // range in StructureResult::core
};

struct StructureResult {
  RecordStatus status = RecordStatus::Ok;
  std::vector<SegmentOut> segments;
  std::vector<ItemOut> items;
  std::vector<std::pair<uint32_t, uint32_t>> core;  // [start, end) code points
  std::vector<std::pair<int32_t, int32_t>> edges;   // (def item, use item), sorted, unique
  // Prose inside itemized code segments: comments and docstrings (string-only expression
  // statements), [start, end) code points, sorted, disjoint — candidates for NL-token supervision.
  std::vector<std::pair<uint32_t, uint32_t>> prose;
  std::vector<double> reach, bridge;  // per item
  uint64_t work = 0;                  // work units charged (core/work.h), up to where it stopped
};

// Thread-safe: parser state is thread_local; nothing process-wide is mutated.
StructureResult analyze_structure(std::string_view response, const StructureOptions& opts);

// The tree-sitter share of analyze_structure alone (the benchmark's parse-only limit): the same
// segments, the same language detection of untagged blocks (its trial parses included) and one
// parse per itemized segment, under the same budget; no items, def-use or graph. The counts keep
// the work observable: itemized segments parsed, their bytes (UTF-8) and the visible nodes of
// their trees (ts_node_descendant_count, O(1) per tree).
struct ParseOnlyResult {
  RecordStatus status = RecordStatus::Ok;  // Ok, NoCode (no itemized segment), WorkBudget or WallTimeout
  uint32_t segments = 0;
  uint64_t bytes = 0;
  uint64_t nodes = 0;
  uint64_t work = 0;  // work units charged (the parse's share of analyze_structure's)
};
ParseOnlyResult parse_only(std::string_view response, const StructureOptions& opts);

}  // namespace codeblock
