/**
 * `run` = analyze into `<out>/analysis` (one shard), then select into `<out>`: records in,
 * training-ready packs out (docs/pipeline.md). The CLI's `codeblock run` is this function.
 *
 * The two passes overlap: select's pass A (chat template, target tokenizer, budget histogram) reads each part's
 * records as analyze commits it, through a bounded hand-off (src/pipeline/record-handoff.ts), so the tokenizer's
 * threads encode while analyze's workers parse. The passes after A read the finished analysis files, as `select`
 * does. The output is byte for byte that of `analyze` then `select`. An IFD cut ranks the whole analysis before
 * pass A, so with one the passes run one after the other.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkInputs } from '../io/index.js';
import { withDirLock } from '../util/dir-lock.js';
import { refuseScorerOptions, type CodeblockConfig } from '../config/index.js';
import { configReadsPoolStats, ifdCutOf, refuseWithoutScores } from '../budget/rules.js';
import { CodeblockError } from '../errors.js';
import { analyze, type AnalyzeHooks, type AnalyzeSummary } from './analyze.js';
import { select, type SelectHooks, type SelectSummary } from './select.js';
import { timedAsync } from '../util/timings.js';
import { TargetTokenizer } from '../tokenize/index.js';
import { HandoffStopped, RecordHandoff } from './record-handoff.js';

/** Parts waiting between analyze and pass A (each about 1,024 records). */
const HANDOFF_PARTS = 2;

export interface RunHooks {
  /** Hooks of the analyze pass. */
  analyze?: AnalyzeHooks;
  /** Called between the passes with the analyze summary; may return the select pass's hooks. */
  afterAnalyze?: (summary: AnalyzeSummary) => SelectHooks | undefined;
}

export interface RunResult {
  analyze: AnalyzeSummary;
  select: SelectSummary;
}

/** Both passes over `inputs` with one resolved config (`resolveConfig('run', …)`); `cfg.out` is required. */
export async function run(inputs: readonly string[], cfg: CodeblockConfig, hooks: RunHooks = {}): Promise<RunResult> {
  if (!cfg.out) throw new CodeblockError('run needs an output directory (-o)');
  // What select would refuse of this analysis is refused before the analysis is made.
  refuseScorerOptions(cfg);
  refuseWithoutScores(cfg, { scorer: cfg.scorer, ifd: cfg.ifd }, 'run');
  // The target tokenizer loads first: a bad --tokenizer / --template fails before the analysis, and parsing
  // tokenizer.json (select's largest transient allocation) happens while memory is low, not on top of what the
  // analysis leaves for the garbage collector (peak RSS, docs/benchmarks.md).
  const tokenizer = await TargetTokenizer.load(cfg.tokenizer, { template: cfg.template });
  // Unusable inputs stop the run before the output directory is made; then one run at a time holds it (its
  // analysis and its select output), so another run never replaces the analysis select is reading.
  await checkInputs(inputs);
  const out = cfg.out;
  mkdirSync(out, { recursive: true });
  return withDirLock(out, { wait: cfg.waitLock, what: 'run' }, () =>
    runLocked(inputs, { ...cfg, out }, tokenizer, hooks),
  );
}

async function runLocked(
  inputs: readonly string[],
  cfg: CodeblockConfig & { out: string },
  tokenizer: TargetTokenizer,
  hooks: RunHooks,
): Promise<RunResult> {
  const analysisDir = join(cfg.out, 'analysis');
  const analyzeCfg: CodeblockConfig = { ...cfg, out: analysisDir, shard: '0/1' };
  // an IFD cut and a score with pool statistics read the whole analysis before select's pass A: no overlap
  if (ifdCutOf(cfg) || configReadsPoolStats(cfg)) {
    const a = await analyze(inputs, analyzeCfg, hooks.analyze);
    const selectHooks = { ...(hooks.afterAnalyze?.(a) ?? {}), tokenizer };
    const s = await timedAsync('select', () => select([analysisDir], cfg, selectHooks));
    return { analyze: a, select: s };
  }

  const records = new RecordHandoff(HANDOFF_PARTS);
  let gotConfig!: (c: Record<string, unknown>) => void;
  let noConfig!: (err: unknown) => void;
  const config = new Promise<Record<string, unknown>>((res, rej) => {
    gotConfig = res;
    noConfig = rej;
  });
  const analyzed = analyze(inputs, analyzeCfg, {
    ...hooks.analyze,
    live: { config: (c) => gotConfig(c), records: (r) => records.push(r) },
  }).then(
    (a) => {
      records.end();
      return a;
    },
    (err: unknown) => {
      noConfig(err);
      records.fail(err);
      throw err;
    },
  );
  const complete = analyzed.then((a) => ({ progress: hooks.afterAnalyze?.(a)?.progress }));
  // select awaits these only on its way: when it stops early (or analyze fails), nobody else does
  complete.catch(() => undefined);
  config.catch(() => undefined);
  const selected = timedAsync('select', () =>
    select([analysisDir], cfg, { tokenizer, live: { config, records, complete } }),
  );
  const [a, s] = await Promise.allSettled([analyzed, selected]);
  // The first cause wins: analyze's own error; select's when analyze only stopped because select had failed.
  if (a.status === 'rejected' && !(a.reason instanceof HandoffStopped)) throw a.reason;
  if (s.status === 'rejected') throw s.reason;
  if (a.status === 'rejected') throw a.reason;
  return { analyze: a.value, select: s.value };
}
