/**
 * `run` = analyze into `<out>/analysis` (one shard), then select into `<out>`: records in,
 * training-ready packs out (docs/pipeline.md). The CLI's `codeblock run` is this function.
 */
import { join } from 'node:path';
import { refuseScorerOptions, type CodeblockConfig } from '../config/index.js';
import { refuseWithoutScores } from '../budget/rules.js';
import { CodeblockError } from '../errors.js';
import { analyze, type AnalyzeHooks, type AnalyzeSummary } from './analyze.js';
import { select, type SelectHooks, type SelectSummary } from './select.js';
import { timedAsync } from '../util/timings.js';
import { TargetTokenizer } from '../tokenize/index.js';

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
  const analysisDir = join(cfg.out, 'analysis');
  const a = await analyze(inputs, { ...cfg, out: analysisDir, shard: '0/1' }, hooks.analyze);
  const selectHooks = { ...(hooks.afterAnalyze?.(a) ?? {}), tokenizer };
  const s = await timedAsync('select', () => select([analysisDir], cfg, selectHooks));
  return { analyze: a, select: s };
}
