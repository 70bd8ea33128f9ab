// Native structure tests, run under AddressSanitizer + UndefinedBehaviorSanitizer by
// native/test/sanitize.sh: hand-derived items and def-use edges (docs/structure.md), every
// invariant of structure_check.h at every granularity, determinism, and the rejections.
// Files given as arguments are analyzed too (each file is one response), e.g. the fuzz corpus.
#include "core/structure.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/structure_internal.h"
#include "core/tree_walk.h"
#include "lang/language.h"
#include "test/structure_check.h"

using namespace codeblock;

namespace {

int failures = 0;

#define EXPECT(cond, what)                                                     \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "FAIL %s: %s\n", std::string(what).c_str(), #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

using Edges = std::vector<std::pair<int32_t, int32_t>>;

StructureResult analyze(const std::string& text, Granularity g = Granularity::Statement) {
  StructureOptions o;
  o.granularity = g;
  return analyze_structure(text, o);
}

// Invariants and determinism at every granularity.
void check_all(const std::string& name, const std::string& text) {
  for (Granularity g : {Granularity::Statement, Granularity::Block, Granularity::Function}) {
    std::string what = name + " (granularity " + std::to_string(static_cast<int>(g)) + ")";
    StructureResult a = analyze(text, g), b = analyze(text, g);
    std::string broken = test::check_structure(text, a);
    EXPECT(broken.empty(), what + ": " + broken);
    EXPECT(test::same_structure(a, b), what + ": not deterministic");
  }
}

// FlatTree (one pass over tree-sitter's subtrees, native/ts/flat_tree.c) lists exactly the nodes, fields,
// depths, parents and subtree ends of a TSTreeCursor walk: the text parsed as every registered language
// (clean trees and error-recovery trees alike: aliases, extras, hidden nodes, fields inherited through them).
size_t flat_checked = 0;
void check_flatten(const std::string& name, const std::string& text) {
  for (const LanguageTables* L : registered_languages()) {
    work_meter().reset();
    structure::Budget budget;
    structure::TreePtr tree = structure::parse(structure::resolved(L), text, budget);
    if (!tree) continue;
    TSNode root = ts_tree_root_node(tree.get());
    std::vector<FlatNode> want;
    std::vector<uint32_t> open;
    cursor_walk(root, [&](const WalkAt& at) {
      const uint32_t i = static_cast<uint32_t>(want.size());
      open.resize(at.depth);
      TSNode n = at.node();
      want.push_back(FlatNode{n, ts_node_start_byte(n), i + 1, at.depth ? open[at.depth - 1] : i, at.depth,
                              at.depth ? at.field() : TSFieldId{0}});
      open.push_back(i);
      return Walk::Into;
    });
    for (size_t i = want.size(); i-- > 1;) {
      FlatNode& p = want[want[i].parent];
      if (want[i].end > p.end) p.end = want[i].end;
    }
    FlatTree flat;
    flat.build(root);
    const std::string what = name + " as " + L->name;
    EXPECT(flat.count == want.size(), what + ": " + std::to_string(flat.count) + " vs " + std::to_string(want.size()));
    for (size_t i = 0; i < want.size() && i < flat.count; i++) {
      const FlatNode &a = flat.nodes[i], &b = want[i];
      bool same = ts_node_eq(a.node, b.node) && !std::memcmp(a.node.context, b.node.context, sizeof a.node.context) &&
                  a.start == b.start && a.end == b.end && a.parent == b.parent && a.depth == b.depth &&
                  a.field == b.field;
      EXPECT(same, what + ": node " + std::to_string(i) + " (" + ts_node_type(b.node) + ")");
      if (!same) break;
    }
    flat_checked += want.size();
  }
  work_meter().reset();
}

std::vector<std::string> types(const StructureResult& r) {
  std::vector<std::string> t;
  for (const ItemOut& it : r.items) t.push_back(it.type);
  return t;
}

void expect_edges(const std::string& name, const std::string& text, size_t items, const Edges& edges,
                  Granularity g = Granularity::Statement) {
  StructureResult r = analyze(text, g);
  EXPECT(r.status == RecordStatus::Ok, name);
  EXPECT(r.items.size() == items, name + ": " + std::to_string(r.items.size()) + " items");
  EXPECT(r.edges == edges, name + ": edges");
  check_all(name, text);
}

std::string nested_ifs(int depth) {
  std::string s = "x = 1\n";
  for (int d = 0; d < depth; d++) s += std::string(static_cast<size_t>(d) * 1, ' ') + "if x:\n";
  s += std::string(static_cast<size_t>(depth), ' ') + "y = x\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  // Items and their code-point spans (whole-line rule), one edge.
  {
    std::string t = "```python\nx = 1\ny = x\n```\n";
    StructureResult r = analyze(t);
    EXPECT(r.status == RecordStatus::Ok, "simple");
    EXPECT(r.segments.size() == 1 && r.segments[0].start == 10 && r.segments[0].end == 22, "simple: segment");
    EXPECT(r.segments.size() == 1 && r.segments[0].lang == "python" && r.segments[0].itemized, "simple: lang");
    EXPECT(r.items.size() == 2, "simple: items");
    if (r.items.size() == 2) {
      EXPECT(r.items[0].start == 10 && r.items[0].end == 16, "simple: item 0 span");
      EXPECT(r.items[1].start == 16 && r.items[1].end == 22, "simple: item 1 span");
      EXPECT(r.items[0].kind == ItemKind::Simple && types(r)[0] == "expression_statement", "simple: item 0 kind");
    }
    EXPECT((r.edges == Edges{{0, 1}}), "simple: edges");
    check_all("simple", t);
  }
  // Code points, not bytes.
  {
    std::string t = "```python\n\xCF\x80 = '\xC3\xA9'\nprint(\xCF\x80)\n```\n";
    StructureResult r = analyze(t);
    EXPECT(r.items.size() == 2, "unicode: items");
    if (r.items.size() == 2) {
      EXPECT(r.items[0].start == 10 && r.items[0].end == 18, "unicode: item 0 span");
      EXPECT(r.items[1].start == 18 && r.items[1].end == 27, "unicode: item 1 span");
    }
    EXPECT((r.edges == Edges{{0, 1}}), "unicode: edges");
    check_all("unicode", t);
  }
  // Loop-carried definitions reach the loop head and the body (self edges dropped).
  expect_edges("while", "i = 0\nwhile i < 3:\n    i = i + 1\n", 3, {{0, 1}, {0, 2}, {2, 1}});
  // A whole compound statement is one item at block granularity.
  expect_edges("while block", "i = 0\nwhile i < 3:\n    i = i + 1\n", 2, {{0, 1}}, Granularity::Block);
  // Function bodies run after the module: a later def reaches an earlier body.
  expect_edges("deferred", "def f():\n    return g()\ndef g():\n    return 1\n", 4, {{2, 1}});
  expect_edges("deferred function", "def f():\n    return g()\ndef g():\n    return 1\n", 2, {{1, 0}},
               Granularity::Function);
  // Class scope is skipped from methods.
  expect_edges("class", "x = 1\nclass A:\n    x = 2\n    def m(self):\n        return x\n", 5, {{0, 4}});
  // Comprehension variables stay in the comprehension.
  expect_edges("comprehension", "y = 1\nz = [y for y in range(3)]\nprint(y)\n", 3, {{0, 2}});
  // try / except: both the body's and the handler's definitions reach after the statement.
  expect_edges("try", "try:\n    a = f()\nexcept E as e:\n    a = e\nprint(a)\n", 5, {{1, 4}, {2, 3}, {3, 4}});
  // match / case: capture patterns define, guards and bodies use.
  expect_edges("match",
               "```python\nmatch p:\n    case Point(x=0, y=yy):\n        print(yy)\n    case [a, *rest] if a:\n"
               "        print(rest)\n    case _:\n        pass\n```\n",
               7, {{1, 2}, {3, 4}});
  // Nesting past the depth limit is scanned flat (uses only) and still finds the definition.
  {
    std::string t = nested_ifs(260);
    StructureResult r = analyze(t);
    EXPECT(r.status == RecordStatus::Ok, "deep");
    EXPECT(r.items.size() == 262, "deep: items " + std::to_string(r.items.size()));
    bool found = false;
    for (const auto& e : r.edges) found = found || (e.first == 0 && e.second == 261);
    EXPECT(found, "deep: edge from x = 1 to the innermost statement");
    check_all("deep", t);
  }
  // Comments and docstrings are prose, not items.
  {
    std::string t = "```python\n# c\nx = 1  # t\n\"\"\"doc\"\"\"\n```\n";
    StructureResult r = analyze(t);
    EXPECT(r.items.size() == 1, "prose: items");
    EXPECT(r.prose.size() == 3, "prose: ranges");
    if (r.prose.size() == 3) EXPECT(r.prose[0].first == 10 && r.prose[0].second == 13, "prose: comment span");
    check_all("prose", t);
  }
  // Rejections and non-code.
  {
    StructureResult r = analyze("Here is an example of text.");
    EXPECT(r.status == RecordStatus::NoCode && r.segments.empty(), "prose only");
    r = analyze("```haskell\nmain = print 1\n```\n");
    EXPECT(r.status == RecordStatus::NoCode && r.segments.size() == 1 && r.segments[0].lang == "haskell" &&
               !r.segments[0].itemized,
           "unregistered (haskell) fence");
    StructureOptions o;
    o.max_items = 1;
    r = analyze_structure("```python\nx = 1\ny = x\n```\n", o);
    EXPECT(r.status == RecordStatus::TooLong && r.items.empty(), "too long");
    std::string big;
    for (int i = 0; i < 200000; i++) big += "x" + std::to_string(i) + " = (1, [2, {3: 4}])\n";
    o = StructureOptions{};
    o.work_budget = 100000;
    o.wall_timeout_ms = 0;
    r = analyze_structure("```python\n" + big + "```\n", o);
    EXPECT(r.status == RecordStatus::WorkBudget && r.items.empty() && r.work > 100000, "work budget");
    StructureResult again = analyze_structure("```python\n" + big + "```\n", o);
    EXPECT(again.work == r.work, "work budget: the same count again");
    o.work_budget = 0;
    o.wall_timeout_ms = 1e-6;
    r = analyze_structure("```python\n" + big + "```\n", o);
    EXPECT(r.status == RecordStatus::WallTimeout && r.items.empty(), "wall timeout");
  }
  // Broken and odd input: invariants only.
  const char* odd[] = {
      "",
      "```python\n```\n",
      "```python\ndef f(:\n    pass\n```\n",
      "```python\nif x\n    y = (\n```\n",
      "```\nfor i in range(3):\n    print(i)\n```\n",
      "```python\r\nx = 1\r\nif x:\r\n\ty = x\r\n```\r\n",
      "```python\n@dec\nclass A(B):\n    @property\n    def p(self, q=lambda z: z + w):\n        nonlocal w\n```",
      "```py\nimport a.b as c, d.e\nfrom . import (f as g, h)\nwith open(p) as fh, q:\n    fh.read(c, g, h)\n```",
      "```python\nfor k, v in d.items():\n    if k:\n        break\n    continue\nelse:\n    v = 0\nprint(k, v)\n```",
      "```python\nwhile (n := n - 1) > 0:\n    global t\n    t += n\n```\n~~~python\nprint(t)\n~~~\n",
      "```python\ntry:\n    pass\nfinally:\n    raise\n```\n```javascript\nlet x = 1;\n```\n",
      "```python\n\xff\xfe\x80 = 1\n```\n",
  };
  for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
    check_all("odd " + std::to_string(i), odd[i]);
    check_flatten("odd " + std::to_string(i), odd[i]);
  }
  // Each language's own constructs (fields through hidden nodes, aliases, extras), clean and broken.
  const char* snippets[] = {
      "import os\n@dec(x=1)\nclass A(B, metaclass=M):\n    def f(self, a: int = 2, *b, **c) -> str:\n"
      "        return [y for y in a if y] or {k: v for k, v in c.items()}\n",
      "const f = async ({a, b: [c, ...d]}, e = 1) => { for (const [k, v] of m) { x?.y?.(k); } };\n"
      "class A extends B { #p = 1; static get q() { return this.#p; } }\nlabel: while (1) break label;\n",
      "interface I<T extends U> { a?: T; (x: number): void }\ntype M = { [K in keyof T]-?: T[K] };\n"
      "function g<T>(this: Window, x: T | null): asserts x is T {}\nenum E { A = 1, B }\n",
      "package p; import java.util.*; @Deprecated public class A<T> extends B implements C {\n"
      "  int[] a = {1, 2}; A() { super(); } <U> U f(T t) throws E { return switch (t) { case X -> y; default -> z; }; "
      "} }\n",
      "#include <stdio.h>\n#define M(x) ((x) + 1)\nstruct S { int a : 3; }; typedef int (*fp)(int);\n"
      "int main(int argc, char **argv) { int a[2] = {[0] = 1}; return M(a[0]) ? 0 : 1; }\n",
      "template <typename T> class A : public B<T> { public: A() : x_(0) {} auto f() const -> int override; };\n"
      "namespace n { using std::vector; } int main() { auto l = [&](int x) mutable { return x; }; }\n",
      "package main\nimport (\"fmt\"; m \"math\")\nfunc (r *R) F[T any](a, b int, c ...T) (x int, err error) {\n"
      "\tswitch v := y.(type) { case int: fmt.Println(v) }\n\tgo func() { ch <- 1 }()\n\treturn\n}\n",
      "use std::io; #[derive(Debug)] struct S<'a, T: Clone> { a: &'a T }\n"
      "impl<T> Tr for S<T> where T: Copy { fn f(&self) -> Option<i32> { match x { Some(y) if y > 0 => y, _ => 0 } } "
      "}\n",
      "namespace N { public record R(int A); class C<T> where T : new() { int P { get; init; } "
      "async Task F() { var q = from x in xs where x > 0 select x; await G(); } } }\n",
      "<?php namespace A; use B\\C; class D extends E { public function f(int $a = 1): ?int { return $a ?? null; } }\n"
      "$x = fn($y) => $y * 2; echo \"v: {$x(1)}\";\n",
      "#!/bin/bash\nf() { local a=\"$1\"; for i in \"${@:2}\"; do echo \"$i\" | grep -q x && break; done; }\n"
      "case $x in a|b) y=$(( x + 1 ));; esac\ncat <<EOF\n$y\nEOF\n",
      "module M; class A < B; attr_reader :x; def f(a, *b, k: 1, &c) = a.map { |v| v * 2 }; end; end\n"
      "x = [1, 2].each_with_object({}) do |(i, j), h| h[i] = j end unless y\n",
      "@media (max-width: 10px) { .a > b:not(.c)::before, #d[e=\"f\"] { color: rgb(1, 2, 3) !important; } }\n"
      "@import url(\"x.css\"); :root { --v: calc(1px + 2%); }\n",
  };
  for (const char* sn : snippets) {
    const std::string t(sn);
    check_flatten(t.substr(0, 24), t);
    check_flatten(t.substr(0, 24) + " (broken)", t.substr(0, t.size() / 2) + ")}{" + t.substr(t.size() / 2 + 3));
  }
  for (int i = 1; i < argc; i++) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    check_all(argv[i], ss.str());
    check_flatten(argv[i], ss.str());
  }
  EXPECT(flat_checked > 50000, "flattened nodes compared: " + std::to_string(flat_checked));
  if (failures) {
    std::fprintf(stderr, "structure_test: %d failure(s)\n", failures);
    return 1;
  }
  std::printf("structure_test: all native structure tests passed (%d input files; %zu flattened nodes compared)\n",
              argc - 1, flat_checked);
  return 0;
}
