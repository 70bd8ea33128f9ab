// Item-graph metrics (docs/structure.md, "Reach and bridge"): reach and directed betweenness (Brandes).
#pragma once
#include <cstdint>

namespace codeblock {

// n nodes, m directed edges from[k] → to[k] (0 ≤ node < n; duplicates and self-loops ignored).
// reach[i]  = |nodes reachable from i, i excluded| / (n - 1)            (0 when n < 2)
// bridge[i] = directed betweenness of i (Brandes 2001, unweighted, shortest paths counted
//             with multiplicity) / ((n - 1)(n - 2))                      (0 when n < 3)
// Iterative BFS only (no recursion). O(n·(n + m)) time, O(n + m) memory.
void graph_metrics(int32_t n, const int32_t* from, const int32_t* to, int32_t m, double* reach, double* bridge);

}  // namespace codeblock
