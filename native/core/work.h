// The per-record work meter of the structure analysis (docs/structure.md, "Work budget").
//
// A record's structure analysis is charged in work units that depend only on the record, the
// grammars and the options, never on the machine or its load:
//   - parsing: kParseOpUnits per parser operation, charged 100 operations at a time at each
//     tree-sitter progress callback (the parser calls it once per 100 of its operations, counted
//     from 0 at each parse: core/parse.cc). A parser operation costs about as much CPU as 50 of
//     the steps below (bench: the 270K-character nested call, docs/structure.md), so a unit is a
//     few nanoseconds of CPU whichever stage spends it; and each parse, before it starts, its
//     text's bytes plus kParseUnits (the parser's set-up, and the lexer's pass over the bytes);
//   - trees: 1 unit per node flattened (FlatTree::build), per node a walk visits and, per node
//     FlatTree::index_of looks up, 1 + the nodes before it that start at the same byte (what the scan
//     it replaced by a hash probe visited: the counts stay those of earlier versions; core/tree_walk.h);
//   - def-use: 1 unit per reaching definition a use looks at and per name a merge of two states
//     touches (core/defuse.cc, core/defuse_lexical.cc);
//   - graph: 1 unit per node and per edge each Brandes BFS visits (core/graph.cc).
// Past `limit` the meter stops: every later walk visits nothing, def-use and graph loops end, and
// analyze_structure rejects the record (RecordStatus::WorkBudget), the partial results unused.
// A wall-clock deadline is the outer safety net only (RecordStatus::WallTimeout): the clock is
// read once every kClockEvery units, never otherwise.
#pragma once
#include <chrono>
#include <cstdint>
#include <limits>

namespace codeblock {

// Work units per parser operation (see above).
constexpr uint64_t kParseOpUnits = 50;
// Work units of one parse's set-up (see above).
constexpr uint64_t kParseUnits = 1000;

struct WorkMeter {
  static constexpr uint64_t kClockEvery = uint64_t{1} << 16;
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
  uint64_t used = 0;
  uint64_t limit = 0;         // 0: unlimited
  uint64_t stop_at = kNever;  // next used value at which trip() decides
  bool over = false;          // used went past limit
  bool wall = false;          // the wall-clock deadline passed first
  bool timed = false;
  std::chrono::steady_clock::time_point deadline;

  // Restarts the meter for one record: `units` (0 = unlimited), `wall_ms` (<= 0 = none).
  void start(uint64_t units, double wall_ms) {
    used = 0;
    limit = units;
    over = wall = false;
    timed = wall_ms > 0;
    if (timed)
      deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<int64_t>(wall_ms * 1000.0));
    stop_at = next_stop();
  }
  // Back to unlimited (outside a record's analysis: graphMetrics on its own).
  void reset() { start(0, 0); }

  bool stopped() const { return over || wall; }

  // Adds n units; true when the record's analysis must stop.
  bool charge(uint64_t n) { return (used += n) > stop_at && trip(); }

  // Charges up to n units as n calls of charge(1) would, the one that stops included; returns how many
  // of those calls passed (n unless the analysis must stop). One addition unless it crosses stop_at.
  uint64_t charge_each(uint64_t n) {
    if (!stopped() && n <= stop_at - used) {
      used += n;
      return n;
    }
    for (uint64_t i = 0; i < n; i++)
      if (charge(1)) return i;
    return n;
  }

 private:
  bool check_clock() {
    if (stopped()) return true;
    if (timed && std::chrono::steady_clock::now() > deadline) {
      wall = true;
      stop_at = 0;
    }
    return wall;
  }

  uint64_t next_stop() const {
    uint64_t s = limit ? limit : kNever;
    if (timed && used + kClockEvery < s) s = used + kClockEvery;
    return s;
  }
  bool trip() {
    if (stopped()) return true;
    if (limit && used > limit) {
      over = true;
      stop_at = 0;
      return true;
    }
    if (check_clock()) return true;
    stop_at = next_stop();
    return false;
  }
};

// This thread's meter (analyze_structure / parse_only start it per record).
inline WorkMeter& work_meter() {
  thread_local WorkMeter m;
  return m;
}

}  // namespace codeblock
