/**
 * Kotlin (native/lang/kotlin.cc; docs/languages/kotlin.md), tier 2: hand-checked fixtures for each item kind and
 * scoping rule (no compiler truth here), asserted exactly (items and edge sets: recall and precision at once);
 * fence aliases, untagged detection with the tag hidden, the shared data's one Kotlin answer, hostile input under
 * the deterministic work budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeStructureBatch } from '../../src/structure/index.js';
import { analyzeColumns, DEFAULT_WORK_BUDGET, nativeOptions } from '../../src/structure/native.js';
import { analyzeText, edgeLines, fence, itemLines, SHARED_DATA_DIR, structureOf } from './lang.helpers.js';

const ITEMS = [
  'package com.example.shop',
  '',
  'import kotlin.math.max',
  '',
  'const val LIMIT = 10',
  '',
  'data class Item(val name: String, var price: Int = 0) : Base() {',
  '    fun total(count: Int): Int {',
  '        val sum = price * count',
  '        return max(sum, LIMIT)',
  '    }',
  '',
  '    companion object {',
  '        const val K = 1',
  '    }',
  '}',
  '',
  'object Registry {',
  '    val names = mutableListOf("a")',
  '}',
  '',
  'enum class Color { RED, GREEN }',
  '',
  'typealias Name = String',
  '',
  'fun describe(item: Item, scale: Int = 2): String = item.name',
  '',
  'fun main(args: Array<String>) {',
  '    var total = 0',
  '    for (i in 0 until LIMIT) {',
  '        total += i',
  '    }',
  '    val (a, b) = Pair(1, 2)',
  '    if (total > 5) {',
  '        println("big $total")',
  '    } else if (total < 0) {',
  '        println("neg")',
  '    } else {',
  '        println("small")',
  '    }',
  '    when (total) {',
  '        1 -> println("one")',
  '        else -> {',
  '            println("other")',
  '        }',
  '    }',
  '    try {',
  '        risky(a)',
  '    } catch (e: Exception) {',
  '        println(e.message)',
  '    } finally {',
  '        cleanup()',
  '    }',
  '    while (total > 0) {',
  '        total--',
  '    }',
  '    do {',
  '        total++',
  '    } while (total < 3)',
  '    listOf(1, 2).forEach { n ->',
  '        println(n + b)',
  '    }',
  '    val twice = { x: Int -> x * 2 }',
  '    println(twice(total))',
  '}',
].join('\n');

test('kotlin: items of each kind (declarations, if/else, when entries, loops, try/catch/finally, lambdas)', () => {
  const { items } = structureOf('kotlin', ITEMS);
  assert.deepEqual(items, [
    'simple package com.example.shop',
    'simple import kotlin.math.max',
    'simple const val LIMIT = 10',
    // a class header runs through its body's `{`, the primary constructor and supertypes included
    'header data class Item(val name: String, var price: Int = 0) : Base() {',
    'header fun total(count: Int): Int {',
    'simple val sum = price * count',
    'simple return max(sum, LIMIT)',
    'header companion object {',
    'simple const val K = 1',
    'header object Registry {',
    'simple val names = mutableListOf("a")',
    'header enum class Color {',
    'simple RED',
    'simple GREEN',
    'simple typealias Name = String',
    // an expression body: the header runs through `=`, the expression is an item
    'header fun describe(item: Item, scale: Int = 2): String =',
    'simple item.name',
    'header fun main(args: Array<String>) {',
    'simple var total = 0',
    // for and catch have no fields in the grammar: everything through their `)` is header (paren_headers)
    'header for (i in 0 until LIMIT) {',
    'simple total += i',
    'simple val (a, b) = Pair(1, 2)',
    'header if (total > 5) {',
    'simple println("big $total")',
    'clause else if (total < 0) {',
    'simple println("neg")',
    'clause else {',
    'simple println("small")',
    'header when (total) {',
    'clause 1 ->',
    'simple println("one")',
    'clause else -> {',
    'simple println("other")',
    'header try {',
    'simple risky(a)',
    'clause catch (e: Exception) {',
    'simple println(e.message)',
    'clause finally {',
    'simple cleanup()',
    'header while (total > 0) {',
    'simple total--',
    'header do {',
    'simple total++',
    // a lambda splits its statement: the header runs through the parameters' `->`
    'header listOf(1, 2).forEach { n ->',
    'simple println(n + b)',
    'header val twice = { x: Int ->',
    'simple x * 2',
    'simple println(twice(total))',
  ]);
});

test('kotlin: def-use of the item fixture (class parameters as members, types as uses, lambdas, catch)', () => {
  const { edges } = structureOf('kotlin', ITEMS);
  assert.deepEqual(
    edges,
    [
      // a class parameter `var price` is a member seen by the method; the type `Item` names the class
      'data class Item(val name: String, var price: Int = 0) : Base() { -> val sum = price * count',
      'data class Item(val name: String, var price: Int = 0) : Base() { -> ' +
        'fun describe(item: Item, scale: Int = 2): String =',
      'fun total(count: Int): Int { -> val sum = price * count',
      'val sum = price * count -> return max(sum, LIMIT)',
      'const val LIMIT = 10 -> return max(sum, LIMIT)',
      'const val LIMIT = 10 -> for (i in 0 until LIMIT) {',
      // `item.name`: the member after `.` is not a use
      'fun describe(item: Item, scale: Int = 2): String = -> item.name',
      'var total = 0 -> total += i',
      'var total = 0 -> if (total > 5) {',
      'var total = 0 -> else if (total < 0) {',
      'var total = 0 -> when (total) {',
      'var total = 0 -> while (total > 0) {',
      'var total = 0 -> total--',
      'var total = 0 -> total++',
      'var total = 0 -> println(twice(total))',
      'for (i in 0 until LIMIT) { -> total += i',
      'val (a, b) = Pair(1, 2) -> risky(a)',
      'val (a, b) = Pair(1, 2) -> println(n + b)',
      'catch (e: Exception) { -> println(e.message)',
      'listOf(1, 2).forEach { n -> -> println(n + b)',
      'val twice = { x: Int -> -> x * 2',
      'val twice = { x: Int -> -> println(twice(total))',
    ].sort(),
  );
});

const SCOPES = [
  'class Node(val value: Int, val next: Node? = empty)',
  'val empty: Node? = null',
  'fun sum(head: Node?, base: Int = 0): Int {',
  '    var acc: Int = base',
  '    var cur: Node? = head',
  '    while (cur != null) {',
  '        acc += cur.value',
  '        cur = cur.next',
  '    }',
  '    val acc2 = helper(acc)',
  '    for ((i, v) in listOf(1, 2).withIndex()) {',
  '        acc += i * v',
  '    }',
  '    val shown = listOf(acc2).map { it + acc }',
  '    return shown.size',
  '}',
  'fun helper(x: Int): Int {',
  '    val base = x',
  '    try {',
  '        check(base)',
  '    } catch (ex: IllegalStateException) {',
  '        throw ex',
  '    }',
  '    return base',
  '}',
].join('\n');

test('kotlin: scoping (only the declared name binds, not its type or value; functions hoisted; params local)', () => {
  const { items, edges } = structureOf('kt', SCOPES);
  assert.equal(items.length, 21);
  assert.deepEqual(
    edges,
    [
      // the type Node is a use of the class, wherever it sits (parameter, property, nullable type)
      'class Node(val value: Int, val next: Node? = empty) -> val empty: Node? = null',
      'class Node(val value: Int, val next: Node? = empty) -> fun sum(head: Node?, base: Int = 0): Int {',
      'class Node(val value: Int, val next: Node? = empty) -> var cur: Node? = head',
      // `var acc: Int = base`: base (beside the declarator, no field) is a use of the parameter, not a new name
      'fun sum(head: Node?, base: Int = 0): Int { -> var acc: Int = base',
      'fun sum(head: Node?, base: Int = 0): Int { -> var cur: Node? = head',
      'var acc: Int = base -> acc += cur.value',
      'var acc: Int = base -> val acc2 = helper(acc)',
      'var acc: Int = base -> acc += i * v',
      'var cur: Node? = head -> while (cur != null) {',
      'var cur: Node? = head -> acc += cur.value',
      'var cur: Node? = head -> cur = cur.next',
      // helper is declared after sum: functions are visible in their whole scope
      'fun helper(x: Int): Int { -> val acc2 = helper(acc)',
      // a one-line lambda splits its statement too; `it` is not declared (no edge)
      'val acc2 = helper(acc) -> val shown = listOf(acc2).map {',
      'var acc: Int = base -> it + acc',
      'for ((i, v) in listOf(1, 2).withIndex()) { -> acc += i * v',
      'val shown = listOf(acc2).map { -> return shown.size',
      // helper's own `base` and `x`; sum's parameter base does not reach here
      'fun helper(x: Int): Int { -> val base = x',
      'val base = x -> check(base)',
      'val base = x -> return base',
      'catch (ex: IllegalStateException) { -> throw ex',
    ].sort(),
  );
});

test('kotlin: fence aliases and untagged detection, tag hidden (precision: other languages keep theirs)', () => {
  for (const tag of ['kotlin', 'kt', 'kts', 'Kotlin']) {
    const r = analyzeText(fence(tag, 'val x = 1'));
    assert.equal(r.segments[0]?.lang, 'kotlin', tag);
  }
  const langOf = (code: string) => {
    const o = analyzeStructureBatch([`\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    return o.ok ? o.result.segments[0]?.lang : o.reason;
  };
  // the ITEMS fixture and others, tag hidden
  assert.equal(langOf(`${ITEMS}\n`), 'kotlin');
  assert.equal(langOf(`${SCOPES}\n`), 'kotlin');
  assert.equal(
    langOf('fun main() {\n    val names = listOf("a", "b")\n    for (n in names) println(n)\n}\n'),
    'kotlin',
  );
  assert.equal(
    langOf('data class User(val name: String, val age: Int)\n\nfun hi(u: User) = "Hi ${u.name}"\n'),
    'kotlin',
  );
  assert.equal(langOf('import kotlin.math.sqrt\n\nfun hyp(a: Double, b: Double) = sqrt(a * a + b * b)\n'), 'kotlin');
  // precision: code of the languages registered before Kotlin stays theirs
  assert.equal(langOf('let x = 5;\nconsole.log(x);\n'), 'javascript');
  assert.equal(langOf('const f = (x: number): number => x * 2;\nconsole.log(f(2));\n'), 'typescript');
  assert.equal(
    langOf(
      'import Foundation\n\nfunc greet(name: String) -> String {\n    return "Hi \\(name)"\n}\n' +
        'print(greet(name: "a"))\n',
    ),
    'swift',
  );
  assert.equal(
    langOf(
      'public class A {\n    public static void main(String[] args) {\n        System.out.println("hi");\n    }\n}\n',
    ),
    'java',
  );
  assert.equal(langOf('fn main() {\n    let v: Vec<i32> = Vec::new();\n    println!("{:?}", v);\n}\n'), 'rust');
  assert.equal(langOf('def f(x):\n    return x + 1\n\nprint(f(2))\n'), 'python');
  assert.equal(langOf('package main\n\nimport "fmt"\n\nfunc main() {\n    fmt.Println("hi")\n}\n'), 'go');
});

test("kotlin: the shared data's Kotlin answer (a bare response, no fence) is detected and itemized", () => {
  const line = readFileSync(join(SHARED_DATA_DIR, 'evol-instruct-code-r1.jsonl'), 'utf8')
    .split('\n')
    .find((l) => l.includes('"evolteacher-r1-00205"'));
  assert.ok(line, 'the record is in the shared data');
  const { response } = JSON.parse(line) as { response: string };
  const r = analyzeText(response);
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    ['kotlin'],
  );
  assert.deepEqual(itemLines(response, r, { flags: true }), [
    'header fun findMax(num1: Int, num2: Int, num3: Int): Int {',
    'simple var max = num1',
    'header if (num2 > max) {',
    'simple max = num2',
    'header if (num3 > max) {',
    'simple max = num3',
    'simple return max',
    'simple val maxNum = findMax(10, 5, 8)',
    'simple println(maxNum)',
  ]);
  assert.deepEqual(
    edgeLines(response, r),
    [
      'fun findMax(num1: Int, num2: Int, num3: Int): Int { -> var max = num1',
      'fun findMax(num1: Int, num2: Int, num3: Int): Int { -> if (num2 > max) {',
      'fun findMax(num1: Int, num2: Int, num3: Int): Int { -> max = num2',
      'fun findMax(num1: Int, num2: Int, num3: Int): Int { -> if (num3 > max) {',
      'fun findMax(num1: Int, num2: Int, num3: Int): Int { -> max = num3',
      'fun findMax(num1: Int, num2: Int, num3: Int): Int { -> val maxNum = findMax(10, 5, 8)',
      'var max = num1 -> if (num2 > max) {',
      'var max = num1 -> max = num2',
      'var max = num1 -> if (num3 > max) {',
      'var max = num1 -> max = num3',
      'var max = num1 -> return max',
      'val maxNum = findMax(10, 5, 8) -> println(maxNum)',
    ].sort(),
  );
});

// tree-sitter-kotlin 1.1.0 limits (docs/languages/kotlin.md): nested bodies on one line make a syntax error that
// swallows the statement (no item: the record is `no_code`, never wrongly itemized); across lines it is clean.
test('kotlin: one-line nested bodies are a grammar error (no items), the multi-line form is clean', () => {
  const [bad] = analyzeStructureBatch([fence('kotlin', 'class A { companion object { const val K = 1 } }')], {
    parseTimeoutMs: 0,
  });
  assert.ok(bad && !bad.ok && bad.reason === 'no_code', JSON.stringify(bad));
  const good = structureOf('kotlin', 'class A {\n    companion object { const val K = 1 }\n}');
  assert.deepEqual(itemLines(good.text, good.result, { flags: true }), [
    'header class A {',
    'header companion object {',
    'simple const val K = 1',
  ]);
});

// Hostile Kotlin: each record is analyzed or rejected with a reason, deterministically (the same status and work
// count twice); a work_budget rejection within one charge of the budget.
test('hostile kotlin: a 200K-element listOf, 10k-deep lambdas and parentheses, unterminated string and comment', () => {
  const cases: Array<[string, string, number[]]> = [
    ['200K-element listOf', `val xs = listOf(${Array.from({ length: 200_000 }, (_, i) => i).join(', ')})`, [2]],
    ['10k-deep nested lambdas', `val f = ${'{ '.repeat(10_000)}1${' }'.repeat(10_000)}`, [0, 2]],
    ['10k-deep parentheses', `val y = ${'('.repeat(10_000)}1${')'.repeat(10_000)}`, [0, 2]],
    ['unterminated string', `val s = "abc${'x'.repeat(50_000)}\nfun main() {\n    println(s)\n}`, [0, 1]],
    ['unterminated comment', `val a = 1\n/* ${'never closed '.repeat(5000)}`, [0, 1]],
  ];
  const texts = cases.map(([, body]) => fence('kotlin', body));
  const run = () => analyzeColumns(texts, nativeOptions({ workBudget: DEFAULT_WORK_BUDGET, wallTimeoutMs: 0 }));
  const a = run();
  const b = run();
  assert.deepEqual([b.status, b.work], [a.status, a.work], 'deterministic');
  cases.forEach(([name, , want], i) => {
    const st = a.status[i]!;
    const w = a.work[i]!;
    console.log(`# ${name}: status ${st}, ${w} work units`);
    assert.ok(want.includes(st), `${name}: status ${st}`);
    if (st === 2) assert.ok(w > DEFAULT_WORK_BUDGET && w <= DEFAULT_WORK_BUDGET + 2 * texts[i]!.length + 10_000, name);
    else assert.ok(w <= DEFAULT_WORK_BUDGET, name);
  });
});
