/**
 * The extension-point tables (docs/architecture.md): selection modes, output formats and input
 * presets. Every entry must be complete, and every consumer (option choices, --help,
 * docs/config.md, candidates, writers, detection) must follow the table rather than a copy of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { PACKAGE_ROOT } from '../../src/native.js';
import { findOption } from '../../src/config/options.js';
import { MODE_TABLE, MODES, modeSpec, type ModeUnit } from '../../src/budget/modes.js';
import { recordCandidates } from '../../src/budget/candidates.js';
import type { SelectKnobs } from '../../src/budget/rules.js';
import { V2 } from '../../src/budget/score-def.js';
import { budgetSplit, itemLimits, knobsOf, knobsOfRecord } from '../../src/budget/rules.js';
import { FORMAT_TABLE, OUTPUT_FORMATS, OUTPUT_DIR_FILES, isStaleTempFile } from '../../src/output/formats.js';
import { OutputWriter } from '../../src/output/writer.js';
import { AtomicFile } from '../../src/output/atomic.js';
import { PRESET_TABLE, PRESETS, detectPreset, detectPresetFromKeys } from '../../src/io/presets.js';
import { normalize, requiredFields } from '../../src/io/presets.js';
import { makePacks } from '../output/packs-fixture.js';
import { twoItemRecord } from '../helpers/two-item-record.js';

const UNITS: readonly ModeUnit[] = ['items', 'tokens', 'response'];
const docs = readFileSync(join(PACKAGE_ROOT, 'docs', 'config.md'), 'utf8');

/** v2's score definition as select knobs (no pool statistics: the score functions run on one record). */
const V2_KNOBS = {
  scoreCombine: V2.combine,
  rankWithin: V2.rankWithin,
  uTransform: V2.uTransform,
  reachNorm: V2.reachNorm,
  uShrink: V2.uShrink,
};

test('modes: every entry has a score function, a unit, its flags and a one-line help', () => {
  assert.ok(MODE_TABLE.length > 0);
  for (const m of MODE_TABLE) {
    assert.equal(typeof m.score, 'function', `${m.name}: score function`);
    assert.ok(UNITS.includes(m.unit), `${m.name}: unit ${String(m.unit)}`);
    assert.equal(typeof m.usesNl, 'boolean', `${m.name}: usesNl`);
    assert.equal(typeof m.needsScores, 'boolean', `${m.name}: needsScores`);
    assert.ok(['runs', 'refuses'].includes(m.withoutScores.verdict), `${m.name}: withoutScores.verdict`);
    assert.ok(m.withoutScores.reason.length > 0 && !m.withoutScores.reason.includes('\n'), `${m.name}: reason`);
    // a mode that reads no scores has nothing to refuse without them
    assert.ok(m.needsScores || m.withoutScores.verdict === 'runs', `${m.name}: refuses without needing scores`);
    assert.ok(typeof m.help === 'string' && m.help.length > 0 && !m.help.includes('\n'), `${m.name}: help line`);
    assert.ok(m.unit === 'items' || !m.usesNl, `${m.name}: only item modes give prose a share`);
  }
  assert.equal(new Set(MODES).size, MODES.length, 'unique names');
});

test('modes: option choices, --help and docs/config.md come from the table', () => {
  assert.deepEqual(findOption('mode')!.choices, MODES);
  const help = cli(['select', '--help']);
  assert.equal(help.status, 0, help.stderr);
  for (const m of MODE_TABLE) {
    assert.ok(help.stdout.includes(`${m.name} = ${m.help}`), `--help names ${m.name}`);
    assert.ok(docs.includes(`${m.name} = ${m.help}`), `docs/config.md names ${m.name} (npm run docs)`);
  }
});

test('modes: candidates follow each entry (unit, score function, prose share)', () => {
  const { rec, text, enc } = twoItemRecord(0.5);
  const limits = { minItems: 0, maxItems: 0, allowFlagged: false };
  const cfg = { lambdaReach: 0.5, lambdaBridge: 0.25, ...V2_KNOBS, ...limits, nlRatio: 0.1, seed: 3 };
  for (const m of MODE_TABLE) {
    const k: SelectKnobs = knobsOf({ ...cfg, mode: m.name }, 0.7);
    assert.equal(k.nlRatio, m.usesNl ? 0.1 : 0, `${m.name}: nlRatio`);
    const c = recordCandidates(rec, text, enc, k, (cp) => cp);
    assert.equal(c.full, m.unit === 'response', `${m.name}: full`);
    if (m.unit === 'items') {
      assert.deepEqual(
        c.items.map((i) => i.score),
        [0, 1].map((i) => m.score({ rec, index: i, logp: NaN, knobs: k })),
      );
      assert.ok(c.tokens.length > 0, `${m.name}: prose tokens compete for the nl share`);
    } else {
      assert.equal(c.items.length, 0, `${m.name}: no item candidates`);
    }
    if (m.unit === 'tokens') assert.equal(c.tokens.length, 8, `${m.name}: every non-blank response token`);
    if (m.unit === 'response') assert.equal(c.tokens.length, 0);
  }
  // the codeblock score is the data-flow rule, on independent arithmetic
  const k = knobsOf({ ...cfg, mode: 'codeblock' }, 0.7);
  assert.equal(modeSpec('codeblock').score({ rec, index: 1, logp: NaN, knobs: k }), 2 * (1 + 0.5 * 0 + 0.25 * 0.5));
});

test('rules: budget split per unit, and --min-items / --max-items', () => {
  const limits = { minItems: 0, maxItems: 0, allowFlagged: false };
  const base = { lambdaReach: 0.5, lambdaBridge: 0.5, ...V2_KNOBS, ...limits, nlRatio: 0.25, seed: 0 };
  const split = (mode: (typeof MODES)[number], forced: number) =>
    budgetSplit(knobsOf({ ...base, mode }, 0.7), 0.1, 1000, forced);
  assert.deepEqual(split('codeblock', 10), { budgetTokens: 100, nlBudget: 25, itemBudget: 65, eosTokens: 0 });
  assert.deepEqual(split('token-gce', 10), { budgetTokens: 100, nlBudget: 100, itemBudget: 0, eosTokens: 0 });
  assert.deepEqual(split('full', 0), { budgetTokens: 100, nlBudget: 0, itemBudget: 100, eosTokens: 0 });
  // too few NL candidates: their share goes to items; end-of-turn tokens come off the top
  const k = knobsOf({ ...base, mode: 'codeblock' }, 0.7);
  assert.deepEqual(budgetSplit(k, 0.1, 1000, 10, 5, 0), {
    budgetTokens: 100,
    nlBudget: 5,
    itemBudget: 85,
    eosTokens: 0,
  });
  assert.deepEqual(budgetSplit(k, 0.1, 1000, 10, 0, 7), {
    budgetTokens: 100,
    nlBudget: 0,
    itemBudget: 83,
    eosTokens: 7,
  });
  const t = knobsOf({ ...base, mode: 'random-tokens' }, 0.7);
  assert.deepEqual(budgetSplit(t, 0.1, 1000, 0, 500, 7), {
    budgetTokens: 100,
    nlBudget: 93,
    itemBudget: 0,
    eosTokens: 7,
  });
  const el = [
    { item: 0, score: 1 },
    { item: 1, score: 3 },
    { item: 2, score: 3 },
    { item: 3, score: 2 },
  ];
  const l = itemLimits(el, 1, 2);
  assert.deepEqual([...l.keep!].sort(), [1, 2]);
  assert.deepEqual([...l.force], [1]);
  assert.deepEqual([...itemLimits(el, 3, 0).force].sort(), [1, 2, 3]);
  assert.equal(itemLimits(el, 0, 0).keep, undefined);
});

test('rules: a recorded run takes missing knobs from the OPTIONS defaults', () => {
  const k = knobsOfRecord({ mode: 'random-items', minItems: 2, scoreCombine: 'rank-mean' }, {});
  assert.equal(k.mode, 'random-items');
  assert.equal(k.minItems, 2);
  for (const key of ['lambdaReach', 'lambdaBridge', 'maxItems', 'nlRatio', 'seed', 'allowFlagged'] as const) {
    assert.equal(k[key], findOption(key)!.default, key);
  }
  assert.equal(k.combine, 'rank-mean');
  for (const key of ['uTransform', 'reachNorm', 'uShrink'] as const)
    assert.equal(k[key], findOption(key)!.default, key);
  // a run recorded before the score definition existed scored by v2's
  const old = knobsOfRecord({ mode: 'codeblock' }, {});
  assert.deepEqual([old.combine, old.uTransform, old.reachNorm, old.uShrink], ['product', 'raw', 'pairs', 0]);
  assert.equal(k.q, findOption('q')!.default);
  assert.throws(() => knobsOfRecord({ mode: 'no-such-mode' }, {}), /does not know/);
});

test('formats: option choices, --help and docs/config.md come from the table', () => {
  assert.deepEqual(findOption('format')!.choices, OUTPUT_FORMATS);
  const help = cli(['select', '--help']).stdout;
  for (const f of FORMAT_TABLE) {
    assert.ok(f.files.length > 0 && typeof f.open === 'function' && f.help.length > 0, f.name);
    assert.ok(help.includes(`${f.name} = ${f.help}`) && docs.includes(`${f.name} = ${f.help}`), `${f.name} help`);
  }
});

test('formats: OutputWriter writes exactly the files of the chosen entries; stale temp names follow the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-formats-'));
  try {
    for (const f of FORMAT_TABLE) {
      const out = join(dir, f.name);
      const w = new OutputWriter(out, { formats: [f.name], maxLen: 64 });
      for (const p of makePacks(1, 3, 64)) w.writePack(p);
      if (w.wantsSamples) {
        const row = { id: 's', text: 'ab', inputIds: Int32Array.from([1, 2]), labels: Int32Array.from([-100, 2]) };
        w.writeSample({ ...row, offsets: Int32Array.from([0, 1, 1, 2]), selected: [] });
      }
      const summary = w.close();
      assert.deepEqual(summary.files.map((x) => x.path).sort(), [...f.files].sort(), `${f.name}: its files`);
      assert.deepEqual(readdirSync(out).sort(), [...f.files].sort(), `${f.name}: nothing else on disk`);
    }
    // every committed file's AtomicFile temporary name is recognised as stale; others are not
    for (const name of OUTPUT_DIR_FILES) {
      const a = new AtomicFile(join(dir, name));
      const tmp = a.tempPath.split('/').pop()!;
      a.abort();
      assert.ok(isStaleTempFile(tmp), tmp);
    }
    assert.ok(!isStaleTempFile('.notes.txt.tmp-1-0-0'));
    assert.ok(!isStaleTempFile('packs.parquet'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('presets: option choices come from the table; each entry detects, requires and normalizes its own shape', () => {
  assert.deepEqual(findOption('preset')!.choices, ['auto', ...PRESETS]);
  const samples: Record<string, Record<string, unknown>> = {
    oci: { input: 'q', output: 'a' },
    alpaca: { instruction: 'q', output: 'a' },
    magicoder: { instruction: 'q', response: 'a' },
    messages: {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    },
    trl: { prompt: 'q', completion: 'a' },
  };
  assert.deepEqual(Object.keys(samples).sort(), [...PRESETS].sort(), 'a sample for every preset');
  for (const p of PRESET_TABLE) {
    const obj = samples[p.name]!;
    assert.equal(detectPreset(obj), p.name);
    // the first alternative of every required column is enough for schema detection
    assert.equal(detectPresetFromKeys(requiredFields(p.name).map((r) => r.split('|')[0]!)), p.name);
    const n = normalize(obj, p.name, { file: 'f', line: 1, ordinal: 0 });
    assert.ok(n.ok, p.name);
    if (n.ok) {
      assert.equal(n.record.response, 'a');
      assert.deepEqual(n.record.prompt, [{ role: 'user', content: 'q' }]);
      assert.deepEqual(n.record.meta, {});
    }
  }
});
