import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { findPythonStdlib, generatePool, OCI_COLUMNS } from '../../src/gen/index.js';
import { extractUnits, logicalLines } from '../../src/gen/pysource.js';
import { stdlibFiles } from '../../src/gen/pool.js';
import { parseOciMeta } from '../../src/io/index.js';
import { isCodeblockError } from '../../src/errors.js';
import { collect, tempDir } from './helpers.js';

const PY = '/usr/bin/python3';
let stdlib: string | undefined;
try {
  stdlib = findPythonStdlib();
} catch {
  stdlib = undefined;
}
const noStdlib = stdlib ? false : 'no Python standard library on this machine';

test('same seed → same bytes (jsonl, jsonl.gz, parquet); another seed → other bytes; all formats hold the same rows', {
  skip: noStdlib,
}, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = await generatePool({ records: 400, seed: 7, out: join(dir, 'a.jsonl'), format: 'jsonl' });
    const b = await generatePool({ records: 400, seed: 7, out: join(dir, 'b.jsonl'), format: 'jsonl' });
    const c = await generatePool({ records: 400, seed: 8, out: join(dir, 'c.jsonl'), format: 'jsonl' });
    assert.equal(a.records, 400);
    assert.ok(a.units > 1000, `only ${a.units} stdlib units`);
    const bytesA = readFileSync(a.out);
    assert.ok(bytesA.equals(readFileSync(b.out)), 'same seed, same bytes');
    assert.ok(!bytesA.equals(readFileSync(c.out)), 'different seed, different bytes');

    const g1 = await generatePool({ records: 400, seed: 7, out: join(dir, 'a.jsonl.gz'), format: 'jsonl.gz' });
    const g2 = await generatePool({ records: 400, seed: 7, out: join(dir, 'b.jsonl.gz'), format: 'jsonl.gz' });
    assert.ok(readFileSync(g1.out).equals(readFileSync(g2.out)));
    assert.ok(gunzipSync(readFileSync(g1.out)).equals(bytesA), 'gzip holds the same lines');

    const p1 = await generatePool({
      records: 400,
      seed: 7,
      out: join(dir, 'a.parquet'),
      format: 'parquet',
      rowGroupSize: 150,
    });
    const p2 = await generatePool({
      records: 400,
      seed: 7,
      out: join(dir, 'b.parquet'),
      format: 'parquet',
      rowGroupSize: 150,
    });
    assert.ok(readFileSync(p1.out).equals(readFileSync(p2.out)));

    const rows = bytesA
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    assert.deepEqual(Object.keys(rows[0]!), [...OCI_COLUMNS]);
    const fromJsonl = await collect([a.out]);
    const fromParquet = await collect([p1.out]);
    for (const got of [fromJsonl, fromParquet]) {
      assert.deepEqual(got.quarantine, []);
      assert.deepEqual(got.fileErrors, []);
      assert.equal(got.records.length, 400);
      assert.equal(
        got.records.every((r) => r.preset === 'oci'),
        true,
      );
    }
    assert.deepEqual(
      fromParquet.records.map((r) => [r.id, r.prompt, r.response, r.meta]),
      fromJsonl.records.map((r) => [r.id, r.prompt, r.response, r.meta]),
    );
    assert.equal(new Set(rows.map((r) => r.id)).size, 400);
    // OCI quality fields parse, with a spread of values for the pair filters
    const scores = fromJsonl.records.map((r) => parseOciMeta(r.meta));
    assert.equal(
      scores.every((s) => s.averageTestScore !== undefined && s.judgement && s.testStatuses),
      true,
    );
    assert.ok(scores.some((s) => s.averageTestScore! < 0.5));
    assert.ok(scores.some((s) => Math.min(...Object.values(s.judgement!)) <= 2));
    // responses carry code: most have fenced python, some a usage block after the definition
    assert.ok(rows.filter((r) => r.output.includes('```python')).length > 300);
    assert.ok(rows.some((r) => /Example usage:|For example:|You can use it like this:/.test(r.output)));
  } finally {
    cleanup();
  }
});

test('generated Python blocks parse with CPython (independent check)', {
  skip: noStdlib || (!existsSync(PY) && `${PY} not found`),
}, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await generatePool({ records: 600, seed: 3, out: join(dir, 'p.jsonl'), format: 'jsonl' });
    const script = `
import ast, json, re, sys
total = bad = 0
for line in open(sys.argv[1], encoding="utf-8"):
    out = json.loads(line)["output"]
    blocks = re.findall(r"\`\`\`(?:python3|python|py)\\n(.*?)\`\`\`", out, flags=re.S) if "\`\`\`" in out else [out]
    for b in blocks:
        total += 1
        try:
            ast.parse(b)
        except SyntaxError:
            bad += 1
print(json.dumps({"total": total, "bad": bad}))
`;
    const res = JSON.parse(execFileSync(PY, ['-c', script, r.out], { encoding: 'utf8' })) as {
      total: number;
      bad: number;
    };
    assert.ok(res.total >= 600, `${res.total} blocks`);
    assert.ok(res.bad / res.total <= 0.01, `${res.bad} of ${res.total} blocks do not parse`);
  } finally {
    cleanup();
  }
});

test('pysource: top-level def/class spans agree with CPython ast on stdlib modules', {
  skip: noStdlib || (!existsSync(PY) && `${PY} not found`),
}, () => {
  const files = stdlibFiles(stdlib!)
    .filter((_, i) => i % 25 === 0)
    .slice(0, 30);
  const script = `
import ast, json, sys
res = {}
for rel in sys.argv[2:]:
    src = open(sys.argv[1] + "/" + rel, encoding="utf-8").read()
    out = []
    for node in ast.parse(src).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.end_lineno > node.lineno:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            out.append([node.name, start, node.end_lineno])
    res[rel] = out
print(json.dumps(res))
`;
  const truth = JSON.parse(
    execFileSync(PY, ['-c', script, stdlib!, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as Record<string, [string, number, number][]>;
  let compared = 0;
  for (const rel of files) {
    const src = readFileSync(join(stdlib!, rel), 'utf8').replace(/\r\n?/g, '\n');
    const lineOf = (off: number): number => src.slice(0, off).split('\n').length;
    const units = extractUnits(src, rel).filter((u) => u.kind !== 'method');
    const ours = units.map((u) => {
      const start = src.indexOf(u.code.replace(/\n$/, ''));
      return [u.name, lineOf(start), lineOf(start + u.code.replace(/\n$/, '').length)];
    });
    // one-line bodies after the colon (def f(): pass) are not blocks for ast.end_lineno > lineno either
    assert.deepEqual(ours, truth[rel], rel);
    compared += ours.length;
  }
  assert.ok(compared > 50, `compared only ${compared} units`);
});

test('logicalLines: strings, brackets, continuations and comments', () => {
  const src = [
    'x = """first', // 1: triple-quoted string spanning lines with no indentation
    'def not_a_def(): """',
    'y = f(1,', // 3: open bracket
    '      2)  # comment with a quote \' " ',
    'z = 1 + \\', // 5: backslash continuation
    '    2',
    '# only a comment',
    '',
    "s = \"a # not a comment\"; t = 'it\\'s'",
    '    indented = [',
    ']',
  ].join('\n');
  const ls = logicalLines(src).map((l) => [src.slice(l.codeStart, l.end).split('\n')[0], l.indent]);
  assert.deepEqual(ls, [
    ['x = """first', 0],
    ['y = f(1,', 0],
    ['z = 1 + \\', 0],
    ["s = \"a # not a comment\"; t = 'it\\'s'", 0],
    ['indented = [', 4],
  ]);
});

test('findPythonStdlib: a clear E_INPUT error when there is none', () => {
  assert.throws(
    () => findPythonStdlib('/nonexistent/python3.99'),
    (e: unknown) =>
      isCodeblockError(e) &&
      e.code === 'E_INPUT' &&
      /no Python standard library found.*\/nonexistent\/python3\.99/.test(e.message),
  );
});

test('generatePool: argument errors', async () => {
  await assert.rejects(generatePool({ records: -1, seed: 1, out: '/tmp/x.jsonl', format: 'jsonl' }), RangeError);
  await assert.rejects(generatePool({ records: 1, seed: 1.5, out: '/tmp/x.jsonl', format: 'jsonl' }), RangeError);
  await assert.rejects(
    generatePool({ records: 1, seed: 1, out: '/tmp/x.csv', format: 'csv' as never }),
    /unknown pool format "csv"/,
  );
  await assert.rejects(
    generatePool({ records: 1, seed: 1, out: '/nonexistent-dir/x.jsonl', format: 'jsonl' }),
    /output directory does not exist/,
  );
});
