/**
 * Every knob of codeblock, in one table. The CLI flags, the config-file schema, the help text and
 * the effective-config printout are all generated from it, so they can never disagree.
 *
 * Keys are camelCase in config files and in the library API; flags are the kebab-case form.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { MODES, modesHelp, type Mode } from '../budget/modes.js';
import { KNOB_DEFAULTS } from '../budget/rules.js';
import { OUTPUT_FORMATS, formatsHelp } from '../output/formats.js';
import { PRESETS, presetsHelp } from '../io/presets.js';
import { DEVICES } from '../scoring/devices.js';
import { EMBEDDED_CHOICES } from '../scoring/embedded.js';
import {
  RANK_WITHIN_HELP,
  RANK_WITHIN_NAMES,
  REACH_NORM_HELP,
  REACH_NORM_NAMES,
  SCORE_COMBINE_HELP,
  SCORE_COMBINE_NAMES,
  U_TRANSFORM_HELP,
  U_TRANSFORM_NAMES,
} from '../budget/score-def.js';

export type Command = 'run' | 'analyze' | 'select' | 'items' | 'inspect' | 'bench' | 'gen';
/** Commands an option can belong to: the generic commands plus `submit` (its scheduler flags). */
export type OptionCommand = Command | 'submit';

export type OptionKind = 'string' | 'number' | 'integer' | 'boolean' | 'list';

export interface OptionSpec {
  key: string;
  kind: OptionKind;
  /** Allowed values for enumerations. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  default?: unknown;
  /** Short flag letter. */
  short?: string;
  /**
   * Commands that accept the flag. Options of `submit` alone are scheduler flags: not config-file
   * keys and not part of {@link CodeblockConfig} (see {@link SubmitFlags}).
   */
  commands: readonly OptionCommand[];
  /** Value placeholder in `submit --help` (e.g. `N`). */
  arg?: string;
  /** The key is recorded in the select manifest (`config.select`): it changes select output. */
  select?: true;
  /**
   * The option changes what the reference LM computes, so it means nothing with `--scorer none`:
   * analyze refuses it there when it was set (src/config/index.ts `refuseScorerOptions`). The
   * scorer's performance knobs (--device, --threads, --score-batch-tokens) are not marked: they
   * change no analysis file.
   */
  needsScorer?: true;
  help: string;
  /** Group title for --help. */
  group: string;
}

const PIPE: Command[] = ['run', 'analyze', 'select'];
const READ: Command[] = ['run', 'analyze', 'items'];
const ANALYZE: Command[] = ['run', 'analyze'];
const SELECT: Command[] = ['run', 'select'];
const SUBMIT = ['submit'] as const;
const SLURM = 'Scheduler (submit slurm)';

// Choice lists derive from their tables: modes (src/budget/modes.ts), presets (src/io/presets.ts),
// formats (src/output/formats.ts).
export { MODES, type Mode };
export const FORMATS = OUTPUT_FORMATS;

/** The table, typed exactly (`as const`) so that {@link CodeblockConfig} is derived from it. */
const TABLE = [
  // general
  {
    key: 'out',
    kind: 'string',
    short: 'o',
    commands: [...PIPE, 'gen', 'bench'],
    help: 'output directory (gen: output file)',
    group: 'General',
  },
  {
    key: 'config',
    kind: 'string',
    short: 'c',
    commands: [...PIPE, 'items', 'inspect', 'bench'],
    help: 'JSON or YAML config file carrying any of these options (flags override it)',
    group: 'General',
  },
  {
    key: 'printConfig',
    kind: 'boolean',
    default: false,
    commands: [...PIPE, 'items'],
    help: 'print the effective config as JSON and exit',
    group: 'General',
  },
  {
    key: 'workers',
    kind: 'integer',
    min: 1,
    max: 256,
    default: availableParallelism(),
    commands: [...PIPE, 'items', 'bench'],
    help: 'worker threads for parsing/analysis (default: cores)',
    group: 'General',
  },
  {
    key: 'progress',
    kind: 'boolean',
    default: true,
    commands: [...PIPE, 'items'],
    help: 'progress bar on stderr when it is a TTY (--no-progress to hide)',
    group: 'General',
  },
  {
    key: 'seed',
    select: true,
    kind: 'integer',
    min: 0,
    default: KNOB_DEFAULTS.seed,
    commands: [...PIPE, 'gen'],
    help: 'seed for every random choice (random modes, shuffles, generators)',
    group: 'General',
  },

  // records
  {
    key: 'preset',
    kind: 'string',
    choices: ['auto', ...PRESETS],
    default: 'auto',
    commands: READ,
    help: presetsHelp(),
    group: 'Records',
  },
  {
    key: 'fields',
    kind: 'string',
    commands: READ,
    help:
      "the record's own field names, ROLE=FIELD pairs: prompt/response (strings or message lists) or messages, " +
      'plus system and id, e.g. prompt=question,response=answer (JSONL and Parquet; sets the preset)',
    group: 'Records',
  },
  {
    key: 'maxLineBytes',
    kind: 'integer',
    min: 1024,
    default: 32 * 1024 * 1024,
    commands: READ,
    help: 'longer JSONL lines are quarantined (line_too_long)',
    group: 'Records',
  },
  {
    key: 'shard',
    kind: 'string',
    default: '0/1',
    commands: ['analyze'],
    help:
      'i/n: analyze only records with ordinal % n == i (or "auto" from SLURM_ARRAY_TASK_ID/COUNT or ' +
      'JOB_COMPLETION_INDEX)',
    group: 'Records',
  },
  {
    key: 'waitLock',
    kind: 'boolean',
    default: false,
    commands: PIPE,
    help:
      'when another run holds the output directory (or the analysis shard), wait for it instead of refusing ' +
      '(default: refuse at once, naming the holder, so a duplicate job fails fast instead of idling)',
    group: 'Records',
  },
  {
    key: 'resume',
    kind: 'boolean',
    default: true,
    commands: ANALYZE,
    help: 'reuse complete shard files already in the output directory (--no-resume to redo)',
    group: 'Records',
  },

  // pair selection
  {
    key: 'pairFilter',
    kind: 'string',
    choices: ['on', 'off'],
    default: 'on',
    commands: ANALYZE,
    help:
      'sample-level filters (off = ablation: keep every readable pair; no_code then rejects only in item modes — ' +
      'codeblock, items-no-dataflow, random-items — while full and token modes keep prose-only pairs)',
    group: 'Pair selection',
  },
  {
    key: 'maxResponseChars',
    kind: 'integer',
    min: 1,
    default: 200_000,
    commands: ANALYZE,
    help: 'responses longer than this are rejected (response_too_long)',
    group: 'Pair selection',
  },
  {
    key: 'minTestScore',
    kind: 'number',
    min: 0,
    max: 1,
    default: 0.5,
    commands: ANALYZE,
    help: 'OCI average_test_score below this is rejected (tests)',
    group: 'Pair selection',
  },
  {
    key: 'minJudgement',
    kind: 'number',
    min: 0,
    default: 3,
    commands: ANALYZE,
    help: 'OCI llm_judgement sub-scores below this are rejected (judgement)',
    group: 'Pair selection',
  },
  {
    key: 'dedup',
    kind: 'string',
    choices: ['exact', 'minhash', 'off'],
    default: 'exact',
    commands: ANALYZE,
    help: 'duplicate pairs by normalized hash, or MinHash near-duplicates',
    group: 'Pair selection',
  },
  {
    key: 'ifd',
    needsScorer: true,
    kind: 'boolean',
    default: false,
    commands: ANALYZE,
    help:
      'compute IFD = loss(response|prompt) / loss(response) with the scorer (one extra scoring pass) so select ' +
      'can rank pairs by it',
    group: 'Pair selection',
  },
  {
    key: 'ifdTopRatio',
    select: true,
    kind: 'number',
    min: 0,
    max: 1,
    default: 1,
    commands: SELECT,
    help: 'keep only this share of pairs with the highest IFD (needs analyze --ifd); the rest are rejected (ifd)',
    group: 'Pair selection',
  },
  {
    key: 'ifdTopN',
    select: true,
    kind: 'integer',
    min: 0,
    default: 0,
    commands: SELECT,
    help: 'keep only the N pairs with the highest IFD (0 = no cut; needs analyze --ifd)',
    group: 'Pair selection',
  },
  {
    key: 'minhashThreshold',
    kind: 'number',
    min: 0,
    max: 1,
    default: KNOB_DEFAULTS.minhashThreshold,
    commands: ANALYZE,
    help: 'Jaccard threshold for --dedup minhash',
    group: 'Pair selection',
  },

  // structure
  {
    key: 'granularity',
    kind: 'string',
    choices: ['statement', 'block', 'function'],
    default: 'statement',
    commands: [...ANALYZE, 'items'],
    help: 'coding item granularity',
    group: 'Structure',
  },
  {
    key: 'blockMaxChars',
    kind: 'integer',
    min: 1,
    default: 400,
    commands: [...ANALYZE, 'items'],
    help: 'granularity=block: a compound statement is one item while it stays under this many code points',
    group: 'Structure',
  },
  {
    key: 'languages',
    kind: 'list',
    commands: [...ANALYZE, 'items'],
    help:
      'itemized languages, comma-separated canonical names (default: every registered language; ' +
      '`codeblock items --help` and docs/languages.md list them); code of other languages is kept as code, unitemized',
    group: 'Structure',
  },
  {
    key: 'workBudget',
    kind: 'integer',
    min: 0,
    default: 20_000_000,
    commands: [...ANALYZE, 'items'],
    help:
      'per-record structure work budget in work units (parser operations, tree nodes, def-use and graph steps; ' +
      'docs/structure.md): the same count on any machine, work_budget beyond it; 0 = unlimited',
    group: 'Structure',
  },
  {
    key: 'wallTimeoutMs',
    kind: 'number',
    min: 0,
    default: 10_000,
    commands: [...ANALYZE, 'items'],
    help:
      "outer wall-clock safety net per record's structure analysis, ms (wall_timeout beyond it; depends on the " +
      'machine, so normally never reached: --work-budget is the limit); 0 = none',
    group: 'Structure',
  },
  {
    key: 'parseTimeoutMs',
    kind: 'number',
    min: 0,
    commands: [...ANALYZE, 'items'],
    help: 'deprecated: the old name of --wall-timeout-ms (says so on stderr)',
    group: 'Structure',
  },

  // scoring
  {
    key: 'scorer',
    kind: 'string',
    choices: ['lm', 'none'],
    default: 'lm',
    commands: ANALYZE,
    help:
      'lm: score with the reference LM; none: skip LM scoring (every item utility 1, no prose scores) — for dry ' +
      'runs and structure-only benchmarks; with none, analyze refuses --ifd, --model, --embedded-model, --q, ' +
      '--reduce and --scorer-template, and select refuses an IFD cut and the modes that need scores',
    group: 'Scoring',
  },
  {
    key: 'model',
    needsScorer: true,
    kind: 'string',
    commands: ANALYZE,
    help:
      'reference LM directory (HF optimum layout: model.onnx, tokenizer.json, config.json); default: the embedded ' +
      'model (--embedded-model)',
    group: 'Scoring',
  },
  {
    key: 'embeddedModel',
    needsScorer: true,
    kind: 'string',
    choices: EMBEDDED_CHOICES,
    default: 'auto',
    commands: ANALYZE,
    help:
      'the embedded reference LM when no --model is given: auto = int8 on cpu (models/default/model.int8.onnx: ' +
      'faster, within 0.05 nats of fp32) and fp32 on cuda/webgpu; fp32 = models/default/model.onnx everywhere; ' +
      'int8 = cpu only. The analysis config records the model and its sha256, so analyses of the two never mix',
    group: 'Scoring',
  },
  {
    key: 'device',
    kind: 'string',
    choices: DEVICES,
    default: 'cpu',
    commands: ANALYZE,
    help:
      'reference-LM device (onnxruntime execution provider): cpu, cuda (needs the CUDA provider libraries) or ' +
      'webgpu (needs Vulkan); one that is missing fails in one line, never falls back to cpu',
    group: 'Scoring',
  },
  {
    key: 'threads',
    kind: 'integer',
    min: 0,
    default: 0,
    commands: ANALYZE,
    help: 'onnxruntime intra-op threads (0 = onnxruntime default)',
    group: 'Scoring',
  },
  {
    key: 'scoreBatchTokens',
    kind: 'integer',
    min: 0,
    default: 0,
    commands: ANALYZE,
    help:
      'reference-LM batches are sized by tokens: at most this many padded tokens (rows × longest row) per ' +
      'session.run; two batches are in flight (the next is prepared while one runs). 0 = by device: 1024 on ' +
      'cpu (faster and far smaller than large batches there), 16384 on cuda and webgpu',
    group: 'Scoring',
  },
  {
    key: 'q',
    needsScorer: true,
    kind: 'number',
    min: 1e-6,
    max: 1,
    default: KNOB_DEFAULTS.q,
    commands: ANALYZE,
    help: 'GCE exponent: u = (1 - p^q) / q',
    group: 'Scoring',
  },
  {
    key: 'reduce',
    needsScorer: true,
    kind: 'string',
    choices: ['mean', 'sum', 'max'],
    default: 'mean',
    commands: ANALYZE,
    help: 'item utility = reduce(u) over its core tokens',
    group: 'Scoring',
  },
  {
    key: 'scorerTemplate',
    needsScorer: true,
    kind: 'string',
    choices: ['plain', 'chat'],
    default: 'plain',
    commands: ANALYZE,
    help: 'how prompt and response are joined for the scorer',
    group: 'Scoring',
  },

  // selection
  {
    key: 'mode',
    select: true,
    kind: 'string',
    choices: MODES,
    default: KNOB_DEFAULTS.mode,
    commands: SELECT,
    help: modesHelp(),
    group: 'Selection',
  },
  {
    key: 'budget',
    select: true,
    kind: 'number',
    min: 0,
    max: 1,
    default: 0.019,
    commands: SELECT,
    help: 'supervised fraction of all response tokens in the pool (target tokenizer)',
    group: 'Selection',
  },
  {
    key: 'nlRatio',
    select: true,
    kind: 'number',
    min: 0,
    max: 1,
    default: KNOB_DEFAULTS.nlRatio,
    commands: SELECT,
    help: 'share of the budget given to informative prose tokens',
    group: 'Selection',
  },
  {
    key: 'lambdaReach',
    select: true,
    kind: 'number',
    min: 0,
    default: KNOB_DEFAULTS.lambdaReach,
    commands: SELECT,
    help: 'weight of reach R in the data-flow term F = lambdaReach*R + lambdaBridge*B (docs/scoring.md, "Item score")',
    group: 'Selection',
  },
  {
    key: 'lambdaBridge',
    select: true,
    kind: 'number',
    min: 0,
    default: KNOB_DEFAULTS.lambdaBridge,
    commands: SELECT,
    help: 'weight of bridge B in the data-flow term (see --lambda-reach)',
    group: 'Selection',
  },
  {
    key: 'scoreCombine',
    select: true,
    kind: 'string',
    choices: SCORE_COMBINE_NAMES,
    default: KNOB_DEFAULTS.scoreCombine,
    commands: SELECT,
    help: `how U and the data-flow term F make an item's score: ${SCORE_COMBINE_HELP}`,
    group: 'Selection',
  },
  {
    key: 'rankWithin',
    select: true,
    kind: 'string',
    choices: RANK_WITHIN_NAMES,
    default: KNOB_DEFAULTS.rankWithin,
    commands: SELECT,
    help: `which items a percentile rank compares an item with: ${RANK_WITHIN_HELP}`,
    group: 'Selection',
  },
  {
    key: 'uTransform',
    select: true,
    kind: 'string',
    choices: U_TRANSFORM_NAMES,
    default: KNOB_DEFAULTS.uTransform,
    commands: SELECT,
    help: `the U part under --score-combine product (fisher and rank-mean always rank): ${U_TRANSFORM_HELP}`,
    group: 'Selection',
  },
  {
    key: 'reachNorm',
    select: true,
    kind: 'string',
    choices: REACH_NORM_NAMES,
    default: KNOB_DEFAULTS.reachNorm,
    commands: SELECT,
    help: `how reach R and bridge B enter the data-flow term: ${REACH_NORM_HELP}`,
    group: 'Selection',
  },
  {
    key: 'uShrink',
    select: true,
    kind: 'number',
    min: 0,
    default: KNOB_DEFAULTS.uShrink,
    commands: SELECT,
    help:
      "pseudo-count K: U' = (nCore*U + K*mean U) / (nCore + K) shrinks the utility of items with few core tokens " +
      'toward the pool mean (0 = off). The definition before issue #29: --score-combine product --u-transform raw ' +
      '--reach-norm pairs --u-shrink 0',
    group: 'Selection',
  },
  {
    key: 'minItems',
    select: true,
    kind: 'integer',
    min: 0,
    default: KNOB_DEFAULTS.minItems,
    commands: SELECT,
    help: 'at least this many items per selected sample (taken by score)',
    group: 'Selection',
  },
  {
    key: 'maxItems',
    select: true,
    kind: 'integer',
    min: 0,
    default: KNOB_DEFAULTS.maxItems,
    commands: SELECT,
    help: 'at most this many items per sample (0 = no limit)',
    group: 'Selection',
  },
  {
    key: 'allowPartial',
    kind: 'boolean',
    default: false,
    commands: ['select'],
    help:
      'select from an incomplete analysis (missing shards or parts) and report the missing records in the ' +
      'manifest (counts.missing)',
    group: 'Selection',
  },
  {
    key: 'superviseEos',
    select: true,
    kind: 'boolean',
    default: true,
    commands: SELECT,
    help:
      "supervise the chat template's end-of-assistant-turn token(s) (e.g. <|im_end|>) in every selected sample, " +
      'in every mode, so the trained model learns to stop; they count in the budget (--no-supervise-eos: off)',
    group: 'Selection',
  },
  {
    key: 'allowFlagged',
    select: true,
    kind: 'boolean',
    default: KNOB_DEFAULTS.allowFlagged,
    commands: SELECT,
    help: 'let items touching ERROR/MISSING nodes be selected',
    group: 'Selection',
  },

  // output
  {
    key: 'tokenizer',
    select: true,
    kind: 'string',
    default: 'qwen2.5',
    commands: SELECT,
    help:
      'target tokenizer: a bundled tokenizer name (docs/formats.md) or a tokenizer.json path (its ' +
      'tokenizer_config.json beside it gives the chat template)',
    group: 'Output',
  },
  {
    key: 'template',
    select: true,
    kind: 'string',
    default: 'auto',
    commands: SELECT,
    help: 'chat template: auto (from tokenizer_config.json), none (plain concatenation), or a .jinja file',
    group: 'Output',
  },
  {
    key: 'maxLen',
    select: true,
    kind: 'integer',
    min: 8,
    default: 2048,
    commands: SELECT,
    help: 'pack length; longer samples are dropped (pack_too_long), never truncated',
    group: 'Output',
  },
  {
    key: 'format',
    select: true,
    kind: 'list',
    choices: FORMATS,
    default: ['parquet'],
    commands: SELECT,
    help: formatsHelp(),
    group: 'Output',
  },

  // gen
  {
    key: 'records',
    kind: 'integer',
    min: 1,
    default: 1000,
    commands: ['gen', 'bench'],
    help:
      'gen: records to generate (default 1000); bench: generated pool size for the tokenize+mask+pack section ' +
      '(bench default 10000 when omitted)',
    group: 'Generator',
  },
  {
    key: 'genFormat',
    kind: 'string',
    choices: ['jsonl', 'jsonl.gz', 'parquet'],
    default: 'jsonl',
    commands: ['gen'],
    help: 'generated pool format',
    group: 'Generator',
  },

  // inspect
  { key: 'id', kind: 'string', commands: ['inspect'], help: 'show the sample with this id', group: 'Inspect' },
  { key: 'sample', kind: 'integer', min: 0, commands: ['inspect'], help: 'show the N-th sample', group: 'Inspect' },
  {
    key: 'best',
    kind: 'boolean',
    commands: ['inspect'],
    help: 'show the sample with the highest-scoring item',
    group: 'Inspect',
  },
  {
    key: 'worst',
    kind: 'boolean',
    commands: ['inspect'],
    help: 'show the sample with the lowest-scoring selected item',
    group: 'Inspect',
  },
  {
    key: 'reportSamples',
    kind: 'integer',
    min: 1,
    default: 500,
    commands: ['inspect'],
    help: 'samples embedded in the HTML report (the summary covers every record)',
    group: 'Inspect',
  },
  {
    key: 'html',
    kind: 'string',
    commands: ['inspect'],
    help: 'write a self-contained HTML report to this file',
    group: 'Inspect',
  },

  // submit slurm: scheduler flags (flags only, not config-file keys; every other option is forwarded)
  {
    key: 'shards',
    kind: 'integer',
    min: 1,
    arg: 'N',
    commands: SUBMIT,
    group: SLURM,
    help: 'number of analyze shards = array tasks (required)',
  },
  {
    key: 'array',
    kind: 'string',
    arg: 'SPEC',
    commands: SUBMIT,
    group: SLURM,
    help: 'submit only these shard indices (Slurm syntax: 2, 1,3, 0-7:2) — to redo failed shards; default 0-(N-1)',
  },
  {
    key: 'maxParallel',
    kind: 'integer',
    min: 1,
    arg: 'K',
    commands: SUBMIT,
    group: SLURM,
    help: 'run at most K shards at once (sbatch --array=…%K)',
  },
  {
    key: 'analysisDir',
    kind: 'string',
    arg: 'DIR',
    commands: SUBMIT,
    group: SLURM,
    help: 'where the shards write analysis files (shared filesystem) [default: <out>/analysis]',
  },
  { key: 'partition', kind: 'string', arg: 'P', commands: SUBMIT, group: SLURM, help: 'partition of both jobs' },
  {
    key: 'selectPartition',
    kind: 'string',
    arg: 'P',
    commands: SUBMIT,
    group: SLURM,
    help: 'partition of the select job [default: --partition]',
  },
  { key: 'account', kind: 'string', arg: 'A', commands: SUBMIT, group: SLURM, help: 'account charged for both jobs' },
  { key: 'qos', kind: 'string', arg: 'Q', commands: SUBMIT, group: SLURM, help: 'QOS of both jobs' },
  {
    key: 'time',
    kind: 'string',
    arg: 'T',
    commands: SUBMIT,
    group: SLURM,
    help: 'wall-time limit of each analyze shard (sbatch --time format)',
  },
  {
    key: 'mem',
    kind: 'string',
    arg: 'M',
    commands: SUBMIT,
    group: SLURM,
    help: 'memory of each analyze shard (sbatch --mem format, e.g. 16G)',
  },
  {
    key: 'cpusPerShard',
    kind: 'integer',
    min: 1,
    arg: 'C',
    commands: SUBMIT,
    group: SLURM,
    help: 'CPUs of each analyze shard; also its --workers',
  },
  {
    key: 'gpusPerShard',
    kind: 'integer',
    min: 0,
    arg: 'G',
    commands: SUBMIT,
    group: SLURM,
    help: 'GPUs of each analyze shard (--gres=gpu:G); adds --device cuda unless --device is given',
  },
  {
    key: 'selectTime',
    kind: 'string',
    arg: 'T',
    commands: SUBMIT,
    group: SLURM,
    help: 'wall-time limit of the select job',
  },
  { key: 'selectMem', kind: 'string', arg: 'M', commands: SUBMIT, group: SLURM, help: 'memory of the select job' },
  {
    key: 'selectCpus',
    kind: 'integer',
    min: 1,
    arg: 'C',
    commands: SUBMIT,
    group: SLURM,
    help: 'CPUs of the select job; also its --workers',
  },
  {
    key: 'jobName',
    kind: 'string',
    arg: 'NAME',
    commands: SUBMIT,
    group: SLURM,
    help: 'job name prefix (NAME-analyze, NAME-select) [default: codeblock]',
  },
  {
    key: 'sbatchArg',
    kind: 'list',
    arg: 'ARG',
    commands: SUBMIT,
    group: SLURM,
    help: 'extra sbatch argument for both jobs, repeatable (e.g. --sbatch-arg=--constraint=a100)',
  },
  {
    key: 'sbatch',
    kind: 'string',
    arg: 'PATH',
    commands: SUBMIT,
    group: SLURM,
    help: 'sbatch executable [default: sbatch on PATH]',
  },
  {
    key: 'dryRun',
    kind: 'boolean',
    commands: SUBMIT,
    group: SLURM,
    help: 'write the scripts and print the sbatch commands without submitting',
  },
] as const satisfies readonly OptionSpec[];

/** Every option, in table order (this order is the order of --help and docs/config.md). */
export const OPTIONS: readonly OptionSpec[] = TABLE;

type Row = (typeof TABLE)[number];
type Mutable<T> = T extends readonly (infer E)[] ? E[] : T;
/** The value type of an option row: its choices, else its kind. */
type ValueOf<O extends Row> = O extends { kind: 'list'; choices: readonly (infer C)[] }
  ? C[]
  : O extends { kind: 'list' }
    ? string[]
    : O extends { choices: readonly (infer C)[] }
      ? C
      : O extends { kind: 'number' | 'integer' }
        ? number
        : O extends { kind: 'boolean' }
          ? boolean
          : string;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** Keys with a default are always set in a resolved config; the others are optional. */
type ConfigOf<R extends Row> = Simplify<
  { -readonly [O in R as O extends { default: unknown } ? O['key'] : never]: Mutable<ValueOf<O>> } & {
    -readonly [O in R as O extends { default: unknown } ? never : O['key']]?: Mutable<ValueOf<O>>;
  }
>;
/** Rows that are config keys: all but the CLI-only `config` / `printConfig` and the scheduler flags. */
type ConfigRow = Exclude<Row, { key: 'config' | 'printConfig' } | { commands: typeof SUBMIT }>;

/** Every knob, resolved (derived from the option table). See docs/config.md for meanings. */
export type CodeblockConfig = ConfigOf<ConfigRow>;
/** A config key. */
export type ConfigKey = keyof CodeblockConfig;
/** The scheduler flags of `codeblock submit slurm` (derived from the option table). */
export type SubmitFlags = ConfigOf<Extract<Row, { commands: typeof SUBMIT }>>;
/** Config keys recorded in the select manifest (`config.select`): the keys that change select output. */
export type SelectKey = Extract<Row, { select: true }>['key'];

/** Submit's scheduler flags: `submit` is their only command; they are not config-file keys. */
export function isSchedulerFlag(spec: OptionSpec): boolean {
  return spec.commands.length === 1 && spec.commands[0] === 'submit';
}

/** Options that are config-file keys (and fields of {@link CodeblockConfig}), plus `config` / `printConfig`. */
export const CONFIG_OPTIONS: readonly OptionSpec[] = OPTIONS.filter((o) => !isSchedulerFlag(o));

/** Config keys that change select output, recorded in its manifest, in table order. */
export const SELECT_KEYS: readonly SelectKey[] = OPTIONS.filter((o) => o.select).map((o) => o.key as SelectKey);

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function keyOfFlag(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function zodFor(spec: OptionSpec): z.ZodTypeAny {
  let t: z.ZodTypeAny;
  switch (spec.kind) {
    case 'string':
      t = spec.choices ? z.enum(spec.choices as [string, ...string[]]) : z.string().min(1);
      break;
    case 'number':
    case 'integer': {
      let n = spec.kind === 'integer' ? z.number().int() : z.number();
      n = n.refine(Number.isFinite, 'must be a finite number');
      if (spec.min !== undefined) n = n.min(spec.min);
      if (spec.max !== undefined) n = n.max(spec.max);
      t = n;
      break;
    }
    case 'boolean':
      t = z.boolean();
      break;
    case 'list':
      t = z.array(spec.choices ? z.enum(spec.choices as [string, ...string[]]) : z.string()).min(1);
      break;
  }
  return t.optional();
}

/** Schema for a config file: every known key, all optional, unknown keys rejected. */
export const ConfigFileSchema = z.strictObject(
  Object.fromEntries(CONFIG_OPTIONS.filter((o) => o.key !== 'config').map((o) => [o.key, zodFor(o)])),
);

export function optionsFor(command: OptionCommand): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}

export function findOption(key: string): OptionSpec | undefined {
  return OPTIONS.find((o) => o.key === key);
}

/** Closest known key, for "did you mean" hints. */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
