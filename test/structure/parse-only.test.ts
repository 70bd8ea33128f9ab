/**
 * The addon's `parseOnly` (the structure benchmark's parse-only limit, bench/structure_parse.ts):
 * it must parse exactly the segments `analyzeStructure` itemizes — same segmentation, same
 * detection of untagged blocks, same `languages` filter — and count their bytes and tree nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  analyzeStructureBatch,
  parseOnlyBatch,
  parseOnlyTotals,
  registeredLanguages,
  sliceCodePoints,
  type StructureOptions,
} from '../../src/structure/index.js';

const F = '```';
const RESPONSES = [
  `${F}python\nx = 1\n${F}\n`,
  'Just prose, no code at all.',
  'def f():\n    return 1\n', // fence-less Python: detected
  `${F}js\nlet x = 1;\nconsole.log(x);\n${F}\nthen\n${F}rust\nfn main() { let y = 2; }\n${F}\n`,
  `Intro.\n\n${F}\nimport os\nprint(os.getcwd())\n${F}\n`, // untagged fence: detected as Python
  `${F}sql\nSELECT 1;\n${F}\n`, // unregistered language: not parsed
  `${F}go\npackage main\n\nfunc main() {\n\tx := 1\n\t_ = x\n}\n${F}\n${F}python\ndef g(a):\n    return a\n${F}\n`,
  `${F}cpp\n#include <vector>\nint main() { std::vector<int> v; return v.size(); }\n${F}\n`,
  `${F}python\nnäme = "😀"\nprint(näme)\n${F}\n`, // multi-byte: bytes are UTF-8
  `${F}typescript\nconst a: number = 1;\nexport function f(b: string): string { return b + a; }\n${F}\n`,
  `${F}java\nclass A { int f(int x) { return x + 1; } }\n${F}\n`,
  `${F}python\nif x:\n    (\n${F}\n`, // syntax error: still parsed
];

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Segments / bytes the structure call itemizes, per record (null: the record is rejected there). */
function fromStructure(responses: string[], opts: StructureOptions = {}) {
  const itemized = new Set(opts.languages ?? registeredLanguages().map((l) => l.name));
  return analyzeStructureBatch(responses, opts).map((o, r) => {
    if (!o.ok) return null;
    const segs = o.result.segments.filter((s) => itemized.has(s.lang));
    return {
      segments: segs.length,
      bytes: segs.reduce((a, s) => a + utf8(sliceCodePoints(responses[r]!, s.start, s.end)), 0),
    };
  });
}

function assertAgrees(responses: string[], opts: StructureOptions = {}) {
  const p = parseOnlyBatch(responses, opts);
  assert.equal(p.count, responses.length);
  const want = fromStructure(responses, opts);
  for (let r = 0; r < responses.length; r++) {
    const w = want[r];
    if (w === null) continue; // no_code / too_many_items there: items decide, not the parse
    const ctx = `record ${r}: ${JSON.stringify(responses[r]!.slice(0, 80))}`;
    assert.equal(p.status[r], 0, ctx);
    assert.equal(p.segments[r], w.segments, ctx);
    assert.equal(p.bytes[r], w.bytes, ctx);
    assert.ok(p.nodes[r]! >= w.segments, ctx); // every tree has at least its root
  }
}

test('parseOnly: known counts (segments, UTF-8 bytes, visible nodes)', () => {
  const p = parseOnlyBatch([RESPONSES[0]!, RESPONSES[1]!, RESPONSES[2]!, RESPONSES[8]!]);
  assert.deepEqual([...p.status], [0, 1, 0, 0]);
  assert.deepEqual([...p.segments], [1, 0, 1, 1]);
  // "x = 1\n"; "def f():\n    return 1\n"; 'näme = "😀"\nprint(näme)\n' (ä: 2 bytes, 😀: 4): 15 + 13
  assert.deepEqual([...p.bytes], [6, 0, 22, 28]);
  // module > expression_statement > assignment > identifier, "=", integer
  assert.equal(p.nodes[0], 6);
  // module > function_definition > def, identifier, parameters > ( ) , ":", block > return_statement > return, integer
  assert.equal(p.nodes[2], 12);
  assert.equal(p.nodes[1], 0);
  const t = parseOnlyTotals(p);
  assert.equal(t.records, 4);
  assert.equal(t.segments, 3);
  assert.equal(t.bytes, 6 + 22 + 28);
  assert.equal(t.timedOut, 0);
});

test('parseOnly parses exactly the segments analyzeStructure itemizes', () => {
  assertAgrees(RESPONSES);
  assertAgrees(RESPONSES, { languages: ['python'] });
  assertAgrees(RESPONSES, { languages: ['go', 'rust'] });
});

test('parseOnly agrees with analyzeStructure on random markdown mixes', () => {
  const FRAGS = [
    `${F}python\n`,
    `${F}\n`,
    `${F}js\n`,
    `${F}go\n`,
    '~~~py\n',
    'def f(a):\n',
    '    return a\n',
    'x = 1\n',
    'let y = 2;\n',
    'func main() {}\n',
    'if x:\n',
    '}\n',
    'Here is some text. ',
    '😀',
    '\n',
    '((',
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...FRAGS), { maxLength: 30 }), (parts) => {
      assertAgrees([parts.join('')]);
    }),
    { numRuns: 300, seed: 16 },
  );
});

test('parseOnly: the work budget and the argument checks', () => {
  const big = `${F}python\n${'x = [1, 2, 3]\n'.repeat(200_000)}${F}\n`;
  const p = parseOnlyBatch([big], { workBudget: 5_000_000 });
  assert.equal(p.status[0], 2);
  assert.equal(parseOnlyTotals(p).timedOut, 1);
  // stopped at the first progress callback past the budget: never more than one callback's units beyond it
  assert.ok(p.work[0]! > 5_000_000 && p.work[0]! <= 5_000_000 + 5_000, `${p.work[0]}`);
  assert.throws(() => parseOnlyBatch('x' as unknown as string[]), TypeError);
  assert.throws(() => parseOnlyBatch([1 as unknown as string]), TypeError);
  assert.throws(() => parseOnlyBatch(['x'], { languages: ['klingon'] }), RangeError);
});
