/**
 * Options that need LM scores refuse when there are none (issue #14), in one line, exit 2 (E_USAGE),
 * before any work, never a stack trace nor a silent fallback:
 *
 *  - `analyze --scorer none` refuses every option the option table marks `needsScorer` (--ifd, --model,
 *    --q, --reduce, --scorer-template) when it was given (flag or config file);
 *  - `select` on an analysis made with `--scorer none` refuses an IFD cut and every mode whose
 *    `withoutScores` entry in the mode table is `refuses`; the other modes run;
 *  - `run` and `submit slurm` refuse the same combinations before analyzing or queueing anything;
 *  - the library calls (`analyze`, `select`) refuse too.
 *
 * Real runs of the bin on examples/pool.jsonl (`--scorer none` is the case under test).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, FAST_ANALYZE, cli, cliOk, type CliResult } from '../helpers/cli.js';
import { MODE_TABLE } from '../../src/budget/modes.js';
import { OPTIONS, flagName, type OptionSpec } from '../../src/config/options.js';
import { defaultConfig, resolveConfig, scorerOptionsWithoutScorer } from '../../src/config/index.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { select } from '../../src/pipeline/select.js';
import { CodeblockError } from '../../src/errors.js';

const POOL = join(EXAMPLES, 'pool.jsonl');
let work = '';
let unscored = ''; // analysis made with --scorer none
const at = (...p: string[]): string => join(work, ...p);
const SELECT = ['--no-progress', '--format', 'jsonl'];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cb-needs-scores-'));
  unscored = at('unscored');
  cliOk(['analyze', POOL, '-o', unscored, ...FAST_ANALYZE]);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Exit 2 and exactly one `codeblock: …` line on stderr, naming every `names`, without a stack trace. */
function refused(r: CliResult, names: readonly string[], what: string): string {
  assert.equal(r.status, 2, `${what}: exit ${r.status}\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^codeblock: /, what);
  assert.ok(!r.stderr.includes('    at '), `${what}: no stack trace:\n${r.stderr}`);
  for (const n of names) assert.ok(lines[0]!.includes(n), `${what}: the line names ${n}: ${lines[0]}`);
  return lines[0]!;
}

/** Every file under `dir` with its bytes and mtime (to show a refused command left it alone). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[p.slice(dir.length)] = `${st.mtimeMs}:${readFileSync(p).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

/** A valid value of the option other than its default, as command-line tokens. */
function nonDefaultFlag(o: OptionSpec): string[] {
  const flag = `--${flagName(o.key)}`;
  if (o.kind === 'boolean') return [flag];
  if (o.choices) return [flag, o.choices.find((c) => c !== o.default)!];
  if (o.kind === 'number' || o.kind === 'integer') {
    const lo = o.min ?? 0;
    const v = o.max !== undefined ? (lo + o.max) / 2 : lo + 1;
    return [flag, String(o.kind === 'integer' ? Math.ceil(v) : v === o.default ? v / 2 : v)];
  }
  return [flag, at('no-such-model')];
}

const SCORER_OPTIONS = OPTIONS.filter((o) => o.needsScorer);

test('the option table marks the options that only mean something to the LM; --scorer --help names them', () => {
  assert.deepEqual(
    SCORER_OPTIONS.map((o) => o.key),
    ['ifd', 'model', 'embeddedModel', 'q', 'reduce', 'scorerTemplate'],
  );
  const help = OPTIONS.find((o) => o.key === 'scorer')!.help;
  for (const o of SCORER_OPTIONS) assert.ok(help.includes(`--${flagName(o.key)}`), `--scorer help names ${o.key}`);
});

test('analyze --scorer none refuses each scorer option it is given, before creating anything', () => {
  for (const o of SCORER_OPTIONS) {
    const out = at(`analyze-${o.key}`);
    const args = nonDefaultFlag(o);
    refused(cli(['analyze', POOL, '-o', out, ...FAST_ANALYZE, ...args]), [args[0]!, '--scorer none'], args.join(' '));
    assert.ok(!existsSync(out), `${o.key}: no analysis directory`);
  }
  // given explicitly, even at its default value: refused (it would be ignored)
  refused(cli(['analyze', POOL, '-o', at('q-default'), ...FAST_ANALYZE, '--q', '0.7']), ['--q'], '--q 0.7');
  // several at once: one line naming them all
  const both = ['--ifd', '--reduce', 'max'];
  refused(cli(['analyze', POOL, '-o', at('two'), ...FAST_ANALYZE, ...both]), ['--ifd', '--reduce'], both.join(' '));
  // from a config file: named as the file's key
  const cfgFile = at('scorer.yaml');
  writeFileSync(cfgFile, 'scorer: none\nscorer-template: chat\n');
  const line = refused(cli(['analyze', POOL, '-o', at('from-file'), '-c', cfgFile, '--no-progress']), [], 'file');
  assert.ok(line.includes(`scorerTemplate (from ${cfgFile})`), line);
  assert.ok(!existsSync(at('from-file')));
  // --no-ifd asks for nothing: allowed
  cliOk(['analyze', POOL, '-o', at('no-ifd'), ...FAST_ANALYZE, '--no-ifd']);
});

test('a hand-built config (no record of what was given) counts a scorer option given when not its default', () => {
  const base = { ...defaultConfig(), scorer: 'none' as const };
  assert.deepEqual(scorerOptionsWithoutScorer(base), []);
  assert.deepEqual(scorerOptionsWithoutScorer({ ...base, q: 0.5, ifd: true }), ['ifd', 'q']);
  assert.deepEqual(scorerOptionsWithoutScorer({ ...base, scorer: 'lm', q: 0.5, ifd: true }), []);
  // resolveConfig records what was given: the default value given explicitly counts
  assert.deepEqual(scorerOptionsWithoutScorer(resolveConfig('analyze', { scorer: 'none', q: 0.7 })), ['q']);
  assert.deepEqual(scorerOptionsWithoutScorer(resolveConfig('analyze', { scorer: 'none', ifd: false })), []);
});

test('select on an unscored analysis: the mode table says which modes refuse; the others run', () => {
  assert.ok(MODE_TABLE.some((m) => m.withoutScores.verdict === 'refuses'));
  // an output directory of an earlier select: a refused select must leave it as it was
  const prev = at('prev');
  cliOk(['select', unscored, '-o', prev, ...SELECT]);
  const before = snapshot(prev);
  for (const m of MODE_TABLE) {
    assert.ok(['runs', 'refuses'].includes(m.withoutScores.verdict), `${m.name}: verdict`);
    assert.ok(m.withoutScores.reason.length > 0 && !m.withoutScores.reason.includes('\n'), `${m.name}: reason`);
    const out = at(`select-${m.name}`);
    const r = cli(['select', unscored, '-o', out, '--mode', m.name, ...SELECT]);
    if (m.withoutScores.verdict === 'refuses') {
      const line = refused(
        r,
        [`--mode ${m.name}`, '--scorer none', 'codeblock analyze', m.withoutScores.reason],
        m.name,
      );
      assert.match(line, /--scorer lm/, m.name);
      assert.ok(!existsSync(out), `${m.name}: no output directory`);
      refused(cli(['select', unscored, '-o', prev, '--mode', m.name, ...SELECT]), [m.name], `${m.name} into prev`);
      assert.deepEqual(snapshot(prev), before, `${m.name}: the earlier output is untouched`);
    } else {
      assert.equal(r.status, 0, `${m.name}: ${r.stderr}`);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      assert.equal(manifest.config.select.mode, m.name);
      assert.equal(manifest.config.analysis.scorer, 'none');
    }
  }
  // the --mode help says which ones refuse
  const help = cli(['select', '--help']).stdout.replace(/\s+/g, ' ');
  const refusing = MODE_TABLE.filter((m) => m.withoutScores.verdict === 'refuses').map((m) => m.name);
  assert.ok(help.includes(`(analyze --scorer none) ${refusing.join(', ')} refuse`), 'select --help');
});

test('select refuses an IFD cut on an unscored analysis and says to re-run analyze --ifd with a scorer', () => {
  const prev = at('prev-ifd');
  cliOk(['select', unscored, '-o', prev, ...SELECT]);
  const before = snapshot(prev);
  for (const cut of [
    ['--ifd-top-ratio', '0.5'],
    ['--ifd-top-n', '3'],
  ]) {
    const out = at(`ifd${cut[0]}`);
    const line = refused(cli(['select', unscored, '-o', out, ...cut, ...SELECT]), [cut[0]!, '--scorer none'], cut[0]!);
    assert.ok(line.includes('codeblock analyze --ifd') && line.includes('--scorer lm'), line);
    assert.ok(!existsSync(out), `${cut[0]}: no output directory`);
    refused(cli(['select', unscored, '-o', prev, ...cut, ...SELECT]), [cut[0]!], `${cut[0]} into prev`);
  }
  assert.deepEqual(snapshot(prev), before, 'the earlier output is untouched');
  // no cut asked for (the defaults): runs
  cliOk(['select', unscored, '-o', at('ifd-none'), '--ifd-top-ratio', '1', '--ifd-top-n', '0', ...SELECT]);
});

test('run and submit slurm refuse the same before analyzing or queueing anything', () => {
  for (const m of MODE_TABLE.filter((x) => x.withoutScores.verdict === 'refuses')) {
    const out = at(`run-${m.name}`);
    refused(cli(['run', POOL, '-o', out, ...FAST_ANALYZE, '--mode', m.name]), [`--mode ${m.name}`], `run ${m.name}`);
    assert.ok(!existsSync(out), `run ${m.name}: nothing created`);
    const sub = at(`submit-${m.name}`);
    const args = ['submit', 'slurm', '--shards', '2', POOL, '-o', sub, '--scorer', 'none', '--mode', m.name];
    refused(cli([...args, '--dry-run']), [`--mode ${m.name}`], `submit ${m.name}`);
    assert.ok(!existsSync(sub), `submit ${m.name}: nothing written`);
  }
  refused(cli(['run', POOL, '-o', at('run-ifd'), ...FAST_ANALYZE, '--ifd-top-n', '3']), ['--ifd-top-n'], 'run cut');
  refused(cli(['run', POOL, '-o', at('run-q'), ...FAST_ANALYZE, '--q', '0.5']), ['--q'], 'run --q');
  const sub = ['submit', 'slurm', '--shards', '2', POOL, '-o', at('submit-ifd'), '--scorer', 'none', '--ifd'];
  refused(cli([...sub, '--dry-run']), ['--ifd'], 'submit --ifd');
  assert.ok(!existsSync(at('run-ifd')) && !existsSync(at('run-q')) && !existsSync(at('submit-ifd')));
});

test('the library calls refuse too (CodeblockError E_USAGE)', async () => {
  const usage = (err: unknown): boolean => err instanceof CodeblockError && err.code === 'E_USAGE';
  const aOut = at('lib-analysis');
  await assert.rejects(analyze([POOL], resolveConfig('analyze', { out: aOut, scorer: 'none', ifd: true })), usage);
  assert.ok(!existsSync(aOut));
  for (const m of MODE_TABLE.filter((x) => x.withoutScores.verdict === 'refuses')) {
    const out = at(`lib-${m.name}`);
    await assert.rejects(select([unscored], resolveConfig('select', { out, mode: m.name, progress: false })), usage);
    assert.ok(!existsSync(out), `${m.name}: no output directory`);
  }
});

test('inspect of an unscored analysis works (items scored by data flow alone, U = 1)', () => {
  const r = cli(['inspect', unscored, '--sample', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stderr.includes('    at '));
});
