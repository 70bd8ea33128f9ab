#include "core/graph.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/work.h"

namespace codeblock {

void graph_metrics(int32_t n, const int32_t* from, const int32_t* to, int32_t m, double* reach, double* bridge) {
  for (int32_t i = 0; i < n; i++) reach[i] = bridge[i] = 0.0;
  if (n <= 0) return;
  // CSR adjacency, edges deduplicated, self-loops dropped.
  std::vector<std::pair<int32_t, int32_t>> es;
  es.reserve(m);
  for (int32_t k = 0; k < m; k++)
    if (from[k] != to[k] && from[k] >= 0 && to[k] >= 0 && from[k] < n && to[k] < n) es.emplace_back(from[k], to[k]);
  std::sort(es.begin(), es.end());
  es.erase(std::unique(es.begin(), es.end()), es.end());
  std::vector<int32_t> off(n + 1, 0), adj(es.size());
  for (auto& e : es) off[e.first + 1]++;
  for (int32_t i = 0; i < n; i++) off[i + 1] += off[i];
  {
    std::vector<int32_t> fill(off.begin(), off.end() - 1);
    for (auto& e : es) adj[fill[e.first]++] = e.second;
  }
  std::vector<int32_t> dist(n), order;
  std::vector<double> sigma(n, 0.0), delta(n, 0.0);
  order.reserve(n);
  std::vector<double> bc(n, 0.0);
  std::fill(dist.begin(), dist.end(), -1);
  // Each BFS charges its nodes and edges to this thread's work meter (core/work.h): inside a
  // record's analysis, a stopped meter ends the loop (the record is rejected, these values unused).
  WorkMeter& meter = work_meter();
  for (int32_t s = 0; s < n; s++) {
    if (off[s] == off[s + 1]) continue;  // no out-edges: reaches nothing, lies on no path from s
    order.clear();
    dist[s] = 0;
    sigma[s] = 1.0;
    order.push_back(s);
    uint64_t scanned = 0;
    for (size_t h = 0; h < order.size(); h++) {  // BFS; `order` is the queue and the stack
      int32_t v = order[h];
      scanned += static_cast<uint64_t>(off[v + 1] - off[v]);
      for (int32_t k = off[v]; k < off[v + 1]; k++) {
        int32_t w = adj[k];
        if (dist[w] < 0) {
          dist[w] = dist[v] + 1;
          order.push_back(w);
        }
        if (dist[w] == dist[v] + 1) sigma[w] += sigma[v];
      }
    }
    // the forward pass and the accumulation below each touch these nodes and edges once
    if (meter.charge(2 * (order.size() + scanned))) break;
    if (n > 1) reach[s] = static_cast<double>(order.size() - 1) / static_cast<double>(n - 1);
    for (int32_t v : order) delta[v] = 0.0;
    for (size_t h = order.size(); h-- > 0;) {  // dependency accumulation in reverse BFS order
      int32_t w = order[h];
      for (int32_t k = off[w]; k < off[w + 1]; k++) {
        int32_t x = adj[k];  // successors x of w on shortest paths: dist[x] == dist[w] + 1
        if (dist[x] == dist[w] + 1) delta[w] += sigma[w] / sigma[x] * (1.0 + delta[x]);
      }
      if (w != s) bc[w] += delta[w];
    }
    for (int32_t v : order) {  // reset only what this BFS touched: O(n + m) per source, not O(n)
      dist[v] = -1;
      sigma[v] = 0.0;
    }
  }
  if (n > 2) {
    double norm = static_cast<double>(n - 1) * static_cast<double>(n - 2);
    for (int32_t i = 0; i < n; i++) bridge[i] = bc[i] / norm;
  }
}

}  // namespace codeblock
