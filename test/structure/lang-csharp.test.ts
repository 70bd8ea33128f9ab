/**
 * C# (native/lang/csharp.cc; docs/languages/csharp.md; tier 2: no compiler truth): hand-checked items and
 * def-use edges for each item kind and scoping rule, fence aliases, untagged detection, and the fenced C#
 * blocks of the shared data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeStructureBatch } from '../../src/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';

/** Items as `kind text` (text trimmed, newlines as spaces) and edges as `def => use` over those texts. */
function view(code: string, tag = 'csharp'): { items: string[]; edges: string[]; langs: string[] } {
  const text = `\`\`\`${tag}\n${code}\n\`\`\`\n`;
  const o = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0];
  assert.ok(o.ok);
  const r = o.result;
  const cps = Array.from(text);
  const t = (i: number) =>
    cps
      .slice(r.items[i].start, r.items[i].end)
      .join('')
      .trim()
      .replace(/\s*\n\s*/g, ' ');
  const items = r.items.map((it, i) => `${it.kind} ${t(i)}`);
  const edges = [...new Set(r.edges.map(([a, b]) => `${t(a)} => ${t(b)}`))].sort();
  return { items, edges, langs: r.segments.map((s) => s.lang) };
}

const KINDS = `using System;
using System.Collections.Generic;
using IO = System.IO;
namespace App.Core
{
    [Serializable]
    public class Person<T> : Base, IThing where T : class
    {
        private int _age = 0;
        public string Name { get; set; }
        public int Age { get => _age; set { _age = value; } }
        public int Twice => _age * 2;
        public event EventHandler Changed;
        public Person(string name) : base(name) { Name = name; }
        public int Add(int a, int b = 2) => a + b;
        public static void Main(string[] args)
        {
            var p = new Person<object>("x");
            foreach (var item in list) { Console.WriteLine(item); }
            for (int i = 0; i < 3; i++) Console.WriteLine(i);
            if (p is Person<object> q && q.Age > 0) { } else if (args.Length == 0) return; else { }
            int Local(int z) { return z + 1; }
            try { Local(1); } catch (Exception ex) when (ex != null) { throw; } finally { }
            switch (args.Length) { case 0: break; case int n when n > 1: Console.WriteLine(n); break; default: break; }
            using (var s = new IO.MemoryStream()) { s.Flush(); }
            using var t = new IO.MemoryStream();
            Func<int, int> f = x => { return x * 2; };
            var (a, b) = (1, 2);
            lock (p) { }
            while (true) { break; }
            do { } while (false);
            var r = args.Length switch { 0 => "none", _ => "some" };
            out_test(out var ov);
        }
    }
    public struct S { public int X; }
    public interface IThing { void Do(); int P { get; } }
    public enum Color { Red, Green = 2 }
    public record Point(int X, int Y);
    delegate void D(int x);
}
namespace Other;
class Q { }`;

test('csharp items: usings, namespaces, types, members, properties, statements, clauses', () => {
  const v = view(KINDS);
  assert.deepEqual(v.langs, ['csharp']);
  assert.deepEqual(v.items, [
    'simple using System;',
    'simple using System.Collections.Generic;',
    'simple using IO = System.IO;',
    'header namespace App.Core {',
    'header [Serializable] public class Person<T> : Base, IThing where T : class {',
    'simple private int _age = 0;',
    'simple public string Name { get; set; }',
    'header public int Age { get => _age; set {',
    'simple _age = value;',
    'simple public int Twice => _age * 2;',
    'simple public event EventHandler Changed;',
    'header public Person(string name) : base(name) {',
    'simple Name = name;',
    'simple public int Add(int a, int b = 2) => a + b;',
    'header public static void Main(string[] args) {',
    'simple var p = new Person<object>("x");',
    'header foreach (var item in list) {',
    'simple Console.WriteLine(item);',
    'header for (int i = 0; i < 3; i++)',
    'simple Console.WriteLine(i);',
    'header if (p is Person<object> q && q.Age > 0) {',
    'clause else if (args.Length == 0)',
    'simple return;',
    'clause else {',
    'header int Local(int z) {',
    'simple return z + 1;',
    'header try {',
    'simple Local(1);',
    'clause catch (Exception ex) when (ex != null) {',
    'simple throw;',
    'clause finally {',
    'header switch (args.Length) {',
    'clause case 0:',
    'simple break;',
    'clause case int n when n > 1:',
    'simple Console.WriteLine(n);',
    'simple break;',
    'clause default:',
    'simple break;',
    'header using (var s = new IO.MemoryStream()) {',
    'simple s.Flush();',
    'simple using var t = new IO.MemoryStream();',
    'header Func<int, int> f = x => {',
    'simple return x * 2;',
    'simple var (a, b) = (1, 2);',
    'header lock (p) {',
    'header while (true) {',
    'simple break;',
    'header do {',
    'simple var r = args.Length switch { 0 => "none", _ => "some" };',
    'simple out_test(out var ov);',
    'header public struct S {',
    'simple public int X;',
    'header public interface IThing {',
    'simple void Do();',
    'simple int P { get; }',
    'header public enum Color {',
    'simple Red',
    'simple Green = 2',
    'simple public record Point(int X, int Y);',
    'simple delegate void D(int x);',
    'simple namespace Other;',
    'header class Q {',
  ]);
});

const MORE = `using System;
var names = new[] { "a", "b" };
foreach (var n in names) Console.WriteLine(n);
Greet(names[0]);
static void Greet(string who) { Console.WriteLine($"Hi {who}"); }
class V
{
    private int[] _d = new int[4];
    public int this[int i] { get { return _d[i]; } set => _d[i] = value; }
    public static V operator +(V a, V b) { return a; }
    ~V() { }
    public event EventHandler E { add { } remove { } }
    IEnumerable<int> Gen() { yield return 1; yield break; }
    void W() { Action a = delegate (int q) { Console.WriteLine(q); }; goto end; end: return; }
}`;

test('csharp items and edges: top-level statements, indexers, operators, events, yield, anonymous methods', () => {
  const v = view(MORE, 'cs');
  assert.deepEqual(v.items, [
    'simple using System;',
    'simple var names = new[] { "a", "b" };',
    'header foreach (var n in names)',
    'simple Console.WriteLine(n);',
    'simple Greet(names[0]);',
    'header static void Greet(string who) {',
    'simple Console.WriteLine($"Hi {who}");',
    'header class V {',
    'simple private int[] _d = new int[4];',
    'header public int this[int i] { get {',
    'simple return _d[i];',
    'header public static V operator +(V a, V b) {',
    'simple return a;',
    'header ~V() {',
    'header public event EventHandler E { add {',
    'clause remove {',
    'header IEnumerable<int> Gen() {',
    'simple yield return 1;',
    'simple yield break;',
    'header void W() {',
    'header Action a = delegate (int q) {',
    'simple Console.WriteLine(q);',
    'simple goto end;',
    'header end:',
    'simple return;',
  ]);
  assert.deepEqual(v.edges, [
    'Action a = delegate (int q) { => Console.WriteLine(q);',
    'class V { => public static V operator +(V a, V b) {',
    'foreach (var n in names) => Console.WriteLine(n);',
    'private int[] _d = new int[4]; => return _d[i];',
    'public int this[int i] { get { => return _d[i];',
    'public static V operator +(V a, V b) { => return a;',
    'static void Greet(string who) { => Console.WriteLine($"Hi {who}");',
    'static void Greet(string who) { => Greet(names[0]);',
    'var names = new[] { "a", "b" }; => Greet(names[0]);',
    'var names = new[] { "a", "b" }; => foreach (var n in names)',
  ]);
});

const SCOPES = `using System;
using IO = System.IO;
namespace App
{
    public class Counter
    {
        private int _count;
        public int Count { get => _count; set { _count = value; } }
        public string Name { get; set; }
        public int Twice => _count * 2;
        public Counter(string name) { Name = name; }
        public void Add(int n)
        {
            for (int i = 0; i < n; i++) { _count += i; }
            int i = 3;
            foreach (var item in Items()) { Console.WriteLine(item + i); }
            int Local(int z) => z + Helper();
            Local(n);
            using (var s = new IO.MemoryStream()) { s.Flush(); }
            try { Local(1); } catch (Exception ex) when (ex != null) { Log(ex); }
            if (Name is string str && str.Length > 0) { Log(str); }
            Func<int, int> f = x => { return x * _count; };
            var (a, b) = (1, 2);
            Log(a + b);
            int.TryParse("1", out var parsed);
            Log(parsed);
        }
        static int Helper() => 1;
        private static void Log(object o) { }
        private static int[] Items() => new int[0];
    }
    public enum Color { Red, Green = Red + 1 }
}`;

test('csharp def-use: members class-wide; for / foreach / using / catch scopes; local functions; patterns', () => {
  const v = view(SCOPES, 'c#');
  assert.deepEqual(v.edges, [
    'Func<int, int> f = x => { => return x * _count;',
    'Red => Green = Red + 1',
    'catch (Exception ex) when (ex != null) { => Log(ex);',
    'for (int i = 0; i < n; i++) { => _count += i;',
    'foreach (var item in Items()) { => Console.WriteLine(item + i);',
    'if (Name is string str && str.Length > 0) { => Log(str);',
    'int Local(int z) => z + Helper(); => Local(1);',
    'int Local(int z) => z + Helper(); => Local(n);',
    'int i = 3; => Console.WriteLine(item + i);',
    'int.TryParse("1", out var parsed); => Log(parsed);',
    'private int _count; => _count += i;',
    'private int _count; => _count = value;',
    'private int _count; => public int Count { get => _count; set {',
    'private int _count; => public int Twice => _count * 2;',
    'private int _count; => return x * _count;',
    'private static int[] Items() => new int[0]; => foreach (var item in Items()) {',
    'private static void Log(object o) { => Log(a + b);',
    'private static void Log(object o) { => Log(ex);',
    'private static void Log(object o) { => Log(parsed);',
    'private static void Log(object o) { => Log(str);',
    'public Counter(string name) { => Name = name;',
    'public string Name { get; set; } => Name = name;',
    'public string Name { get; set; } => if (Name is string str && str.Length > 0) {',
    'public void Add(int n) { => Local(n);',
    'public void Add(int n) { => for (int i = 0; i < n; i++) {',
    'static int Helper() => 1; => int Local(int z) => z + Helper();',
    'using (var s = new IO.MemoryStream()) { => s.Flush();',
    'using IO = System.IO; => using (var s = new IO.MemoryStream()) {',
    'var (a, b) = (1, 2); => Log(a + b);',
  ]);
});

test('csharp: fence aliases and untagged detection (Java and Python stay themselves)', () => {
  for (const tag of ['cs', 'csharp', 'c#', 'dotnet']) assert.deepEqual(view('int x = 1;', tag).langs, ['csharp']);
  const untagged = (code: string) => {
    const o = analyzeStructureBatch([`Here:\n\n\`\`\`\n${code}\n\`\`\`\n`], { parseTimeoutMs: 0 })[0];
    return o.ok ? o.result.segments.map((s) => s.lang) : [];
  };
  const hello =
    'using System;\n\nnamespace Hello\n{\n    class Program\n    {\n        static void Main(string[] args)\n' +
    '        {\n            Console.WriteLine("Hello");\n        }\n    }\n}';
  assert.deepEqual(untagged(hello), ['csharp']);
  const noUsing =
    'public class P\n{\n    public static void Main(string[] args)\n    {\n' +
    '        Console.WriteLine("x");\n    }\n}';
  assert.deepEqual(untagged(noUsing), ['csharp']);
  const java = 'public class P {\n  public static void main(String[] args) {\n    System.out.println("x");\n  }\n}';
  assert.deepEqual(untagged(java), ['java']);
  assert.deepEqual(untagged('def f(x):\n    return x + 1\n\nprint(f(2))'), ['python']);
});

test('csharp shared data: fenced blocks analyzed, items in the segments that carry the fenced code', async () => {
  const { DATA_DIR, fencedBlocks } = await import(
    pathToFileURL(join(PACKAGE_ROOT, 'tools', 'truth', 'fences.mjs')).href
  );
  if (!existsSync(DATA_DIR)) {
    console.log(`csharp shared data: skipped (${DATA_DIR} missing)`);
    return;
  }
  const TAGS = ['cs', 'csharp', 'c#', 'dotnet'];
  let records = 0;
  let withItems = 0;
  let items = 0;
  let flagged = 0;
  let fenced = 0;
  let covered = 0;
  for (const f of readdirSync(DATA_DIR).sort()) {
    if (!f.endsWith('.jsonl')) continue;
    for (const line of readFileSync(join(DATA_DIR, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as { response?: unknown; output?: unknown };
      const md = typeof o.response === 'string' ? o.response : typeof o.output === 'string' ? o.output : undefined;
      if (!md) continue;
      const blocks = (fencedBlocks(md) as Array<{ tag: string; start: number; text: string }>).filter((b) =>
        TAGS.includes(b.tag),
      );
      if (!blocks.length) continue;
      records++;
      const out = analyzeStructureBatch([md], { parseTimeoutMs: 0 })[0];
      if (!out.ok) continue;
      const r = out.result;
      const mine = r.items.filter((it) => r.segments[it.segment].lang === 'csharp');
      if (mine.length) withItems++;
      items += mine.length;
      flagged += mine.filter((it) => it.flags.length > 0).length;
      const segs = r.segments.map((s, i) => ({ ...s, n: r.items.filter((it) => it.segment === i).length }));
      for (const b of blocks) {
        const len = Array.from(b.text).length;
        fenced += len;
        for (const s of segs)
          if (s.lang === 'csharp' && s.n > 0)
            covered += Math.max(0, Math.min(s.end, b.start + len) - Math.max(s.start, b.start));
      }
    }
  }
  const share = covered / fenced;
  console.log(
    `csharp shared data: ${records} records with C# fences, ${withItems} with items, ${items} items ` +
      `(${flagged} flagged), ${(share * 100).toFixed(2)}% of fenced chars in C# segments with items`,
  );
  assert.ok(records > 0);
  assert.ok(share >= 0.95, `share ${share}`);
});
