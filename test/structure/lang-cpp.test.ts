/**
 * C++ (native/lang/cpp.cc): items and lexical def-use on a hand-checked fixture (namespaces, classes with
 * access specifiers, templates, lambdas, range-for, try/catch), fence aliases, agreement with clang's AST
 * (tools/truth/c-truth.mjs) on the shared data's ```cpp blocks and a few libstdc++ headers, and coverage of
 * the shared data. Figures: docs/languages/cpp.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findLanguage } from '../../src/structure/index.js';
import { compare, coverage, records, show } from './lang-c.helpers.js';

const FIXTURE = `#include <iostream>
using namespace std;
namespace geo {
template <typename T>
T area(T w, T h) {
  return w * h;
}
class Shape : public Base {
public:
  Shape(int s) : size(s) {}
  int get() const { return size + bonus(); }
  int bonus() { return 1; }
private:
  int size;
};
}
int main() {
  std::vector<int> xs = {1, 2};
  int total = 0;
  for (auto& v : xs) {
    auto add = [&](int a) {
      total += a;
    };
    add(v);
  }
  try {
    geo::Shape s(3);
    std::cout << s.get() << geo::area(2, 3);
  } catch (const std::exception& e) {
    std::cerr << e.what();
  }
  return total;
}`;

test('C++ items: namespace, template header from `template`, class members, lambda, range-for, try/catch', () => {
  const { items, edges } = show('cpp', FIXTURE);
  assert.deepEqual(items, [
    'simple preproc_include |#include <iostream>|',
    'simple using_declaration |using namespace std;|',
    'header namespace_definition |namespace geo {|',
    'header function_definition |template <typename T>\nT area(T w, T h) {|',
    'simple return_statement |return w * h;|',
    'header class_specifier |class Shape : public Base {|',
    'simple access_specifier |public|',
    'header function_definition |Shape(int s) : size(s) {|',
    'header function_definition |int get() const {|',
    'simple return_statement |return size + bonus();|',
    'header function_definition |int bonus() {|',
    'simple return_statement |return 1;|',
    'simple access_specifier |private|',
    'simple field_declaration |int size;|',
    'header function_definition |int main() {|',
    'simple declaration |std::vector<int> xs = {1, 2};|',
    'simple declaration |int total = 0;|',
    'header for_range_loop |for (auto& v : xs) {|',
    'header declaration |auto add = [&](int a) {|',
    'simple expression_statement |total += a;|',
    'simple expression_statement |add(v);|',
    'header try_statement |try {|',
    'simple declaration |geo::Shape s(3);|',
    'simple expression_statement |std::cout << s.get() << geo::area(2, 3);|',
    'clause catch_clause |catch (const std::exception& e) {|',
    'simple expression_statement |std::cerr << e.what();|',
    'simple return_statement |return total;|',
  ]);
  // geo: 2->22, 2->23; T, w, h: 3->4; area (qualified, by its last name): 3->23; Shape: 5->22; members seen
  // from method bodies declared before or after them: size 13->9, 13->7 (the initializer), bonus 10->9;
  // xs: 15->17; total: 16->19, 16->26; range-for v: 17->20; lambda parameter a: 18->19; add: 18->20;
  // s: 22->23; catch e: 24->25. Not uses: s.get (a member), std::cout.
  const want = [
    '2->22',
    '2->23',
    '3->4',
    '3->23',
    '5->22',
    '13->9',
    '13->7',
    '10->9',
    '15->17',
    '16->19',
    '16->26',
    '17->20',
    '18->19',
    '18->20',
    '22->23',
    '24->25',
  ];
  assert.deepEqual(edges, [...want].sort());
});

test('C++ fence aliases', () => {
  for (const a of ['cpp', 'c++', 'cxx', 'cc', 'hpp', 'h++', 'arduino', 'ino'])
    assert.equal(findLanguage(a)?.name, 'cpp');
});

test('C++ agrees with clang: statement spans and def-use edges (shared data + libstdc++ sample)', async () => {
  // clang on C++ blocks with standard headers takes seconds each: by default the first 10 blocks of the shared
  // data; CODEBLOCK_FULL_TRUTH=1 runs every block and 3 libstdc++ headers (figures in docs/languages/cpp.md).
  const full = process.env.CODEBLOCK_FULL_TRUTH === '1';
  const all = await records('cpp', full ? 3 : 0);
  const recs = full ? all : all.slice(0, 10);
  const f = await compare('cpp', recs);
  console.log(`C++ truth: ${JSON.stringify(f)}`);
  assert.ok(f.records - f.skipped >= 8, 'enough blocks compile');
  // Issue #13's tier-1 targets (spans 99%, def-use recall 95% / precision 90%), held at the levels measured
  // (docs/languages/cpp.md): every block + 3 libstdc++ headers 99.6% / 99.6% / 100% / 98.6%; the default
  // subset 100% on all four.
  assert.ok(f.stmtRecall >= 0.99, `statement recall ${f.stmtRecall}`);
  assert.ok(f.itemPrecision >= 0.99, `item precision ${f.itemPrecision}`);
  assert.ok(f.edgeRecall >= 0.99, `def-use recall ${f.edgeRecall}`);
  assert.ok(f.edgePrecision >= 0.98, `def-use precision ${f.edgePrecision}`);
});

test('C++ coverage of the shared data', async () => {
  const c = await coverage('cpp');
  console.log(`C++ shared data: ${JSON.stringify(c)}`);
  if (c.blocks === 0) return;
  assert.ok(c.itemizedShare >= 0.95, `itemized share ${c.itemizedShare}`);
});
