/**
 * Every knob of codeblock, in one table. The CLI flags, the config-file schema, the help text and
 * the effective-config printout are all generated from it, so they can never disagree.
 *
 * Keys are camelCase in config files and in the library API; flags are the kebab-case form.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export type Command = 'run' | 'analyze' | 'select' | 'items' | 'inspect' | 'bench' | 'gen';

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'list';

export interface OptionSpec {
  key: string;
  kind: Kind;
  /** Allowed values for enumerations. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  default?: unknown;
  /** Short flag letter. */
  short?: string;
  /** Commands that accept the flag. */
  commands: readonly Command[];
  help: string;
  /** Group title for --help. */
  group: string;
}

const PIPE: Command[] = ['run', 'analyze', 'select'];
const READ: Command[] = ['run', 'analyze', 'items'];
const ANALYZE: Command[] = ['run', 'analyze'];
const SELECT: Command[] = ['run', 'select'];

export const MODES = ['codeblock', 'full', 'items-no-dataflow', 'random-items', 'token-gce', 'random-tokens'] as const;
export type Mode = (typeof MODES)[number];
export const FORMATS = ['parquet', 'bin', 'jsonl'] as const;

export const OPTIONS: readonly OptionSpec[] = [
  // general
  { key: 'out', kind: 'string', short: 'o', commands: [...PIPE, 'gen', 'bench'], help: 'output directory (gen: output file)', group: 'General' },
  { key: 'config', kind: 'string', short: 'c', commands: [...PIPE, 'items', 'inspect', 'bench'], help: 'JSON or YAML config file carrying any of these options (flags override it)', group: 'General' },
  { key: 'printConfig', kind: 'boolean', default: false, commands: [...PIPE, 'items'], help: 'print the effective config as JSON and exit', group: 'General' },
  { key: 'workers', kind: 'integer', min: 1, max: 256, default: availableParallelism(), commands: [...PIPE, 'items', 'bench'], help: 'worker threads for parsing/analysis (default: cores)', group: 'General' },
  { key: 'progress', kind: 'boolean', default: true, commands: [...PIPE, 'items'], help: 'progress bar on stderr when it is a TTY (--no-progress to hide)', group: 'General' },
  { key: 'seed', kind: 'integer', min: 0, default: 0, commands: [...PIPE, 'gen'], help: 'seed for every random choice (random modes, shuffles, generators)', group: 'General' },

  // records
  { key: 'preset', kind: 'string', choices: ['auto', 'oci', 'alpaca', 'magicoder', 'messages'], default: 'auto', commands: READ, help: 'input field preset, auto-detected per file by default', group: 'Records' },
  { key: 'maxLineBytes', kind: 'integer', min: 1024, default: 32 * 1024 * 1024, commands: READ, help: 'longer JSONL lines are quarantined (line_too_long)', group: 'Records' },
  { key: 'shard', kind: 'string', default: '0/1', commands: ['analyze'], help: 'i/n: analyze only records with ordinal % n == i (or "auto" from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)', group: 'Records' },
  { key: 'resume', kind: 'boolean', default: true, commands: ANALYZE, help: 'reuse complete shard files already in the output directory (--no-resume to redo)', group: 'Records' },

  // pair selection
  { key: 'pairFilter', kind: 'string', choices: ['on', 'off'], default: 'on', commands: ANALYZE, help: 'sample-level filters (off = ablation: keep every readable pair; no_code then rejects only in item modes — codeblock, items-no-dataflow, random-items — while full and token modes keep prose-only pairs)', group: 'Pair selection' },
  { key: 'maxResponseChars', kind: 'integer', min: 1, default: 200_000, commands: ANALYZE, help: 'responses longer than this are rejected (response_too_long)', group: 'Pair selection' },
  { key: 'minTestScore', kind: 'number', min: 0, max: 1, default: 0.5, commands: ANALYZE, help: 'OCI average_test_score below this is rejected (tests)', group: 'Pair selection' },
  { key: 'minJudgement', kind: 'number', min: 0, default: 3, commands: ANALYZE, help: 'OCI llm_judgement sub-scores below this are rejected (judgement)', group: 'Pair selection' },
  { key: 'dedup', kind: 'string', choices: ['exact', 'minhash', 'off'], default: 'exact', commands: ANALYZE, help: 'duplicate pairs by normalized hash, or MinHash near-duplicates', group: 'Pair selection' },
  { key: 'ifd', kind: 'boolean', default: false, commands: ANALYZE, help: 'compute IFD = loss(response|prompt) / loss(response) with the scorer (one extra scoring pass) so select can rank pairs by it', group: 'Pair selection' },
  { key: 'ifdTopRatio', kind: 'number', min: 0, max: 1, default: 1, commands: SELECT, help: 'keep only this share of pairs with the highest IFD (needs analyze --ifd); the rest are rejected (ifd)', group: 'Pair selection' },
  { key: 'ifdTopN', kind: 'integer', min: 0, default: 0, commands: SELECT, help: 'keep only the N pairs with the highest IFD (0 = no cut; needs analyze --ifd)', group: 'Pair selection' },
  { key: 'minhashThreshold', kind: 'number', min: 0, max: 1, default: 0.85, commands: ANALYZE, help: 'Jaccard threshold for --dedup minhash', group: 'Pair selection' },

  // structure
  { key: 'granularity', kind: 'string', choices: ['statement', 'block', 'function'], default: 'statement', commands: [...ANALYZE, 'items'], help: 'coding item granularity', group: 'Structure' },
  { key: 'blockMaxChars', kind: 'integer', min: 1, default: 400, commands: [...ANALYZE, 'items'], help: 'granularity=block: a compound statement is one item while it stays under this many code points', group: 'Structure' },
  { key: 'parseTimeoutMs', kind: 'number', min: 1, default: 2000, commands: [...ANALYZE, 'items'], help: 'per-record parse budget (parse_timeout beyond it)', group: 'Structure' },

  // scoring
  { key: 'scorer', kind: 'string', choices: ['lm', 'none'], default: 'lm', commands: ANALYZE, help: 'lm: score with the reference LM; none: skip LM scoring (every item utility 1, no prose scores) — for dry runs and structure-only benchmarks', group: 'Scoring' },
  { key: 'model', kind: 'string', commands: ANALYZE, help: 'reference LM directory (HF optimum layout: model.onnx, tokenizer.json, config.json); default: the embedded model', group: 'Scoring' },
  { key: 'device', kind: 'string', choices: ['cpu', 'cuda'], default: 'cpu', commands: ANALYZE, help: 'onnxruntime execution provider', group: 'Scoring' },
  { key: 'threads', kind: 'integer', min: 0, default: 0, commands: ANALYZE, help: 'onnxruntime intra-op threads (0 = onnxruntime default)', group: 'Scoring' },
  { key: 'maxBatchTokens', kind: 'integer', min: 16, default: 8192, commands: ANALYZE, help: 'scorer batch budget in padded tokens', group: 'Scoring' },
  { key: 'q', kind: 'number', min: 1e-6, max: 1, default: 0.7, commands: ANALYZE, help: 'GCE exponent: u = (1 - p^q) / q', group: 'Scoring' },
  { key: 'reduce', kind: 'string', choices: ['mean', 'sum', 'max'], default: 'mean', commands: ANALYZE, help: 'item utility = reduce(u) over its core tokens', group: 'Scoring' },
  { key: 'scorerTemplate', kind: 'string', choices: ['plain', 'chat'], default: 'plain', commands: ANALYZE, help: 'how prompt and response are joined for the scorer', group: 'Scoring' },

  // selection
  { key: 'mode', kind: 'string', choices: MODES, default: 'codeblock', commands: SELECT, help: 'what to supervise (ablations share the budget and output format)', group: 'Selection' },
  { key: 'budget', kind: 'number', min: 0, max: 1, default: 0.019, commands: SELECT, help: 'supervised fraction of all response tokens in the pool (target tokenizer)', group: 'Selection' },
  { key: 'nlRatio', kind: 'number', min: 0, max: 1, default: 0.1, commands: SELECT, help: 'share of the budget given to informative prose tokens', group: 'Selection' },
  { key: 'lambdaReach', kind: 'number', min: 0, default: 0.5, commands: SELECT, help: 'Score = U * (1 + lambdaReach*Reach + lambdaBridge*Bridge)', group: 'Selection' },
  { key: 'lambdaBridge', kind: 'number', min: 0, default: 0.5, commands: SELECT, help: 'see --lambda-reach', group: 'Selection' },
  { key: 'minItems', kind: 'integer', min: 0, default: 0, commands: SELECT, help: 'at least this many items per selected sample (taken by score)', group: 'Selection' },
  { key: 'maxItems', kind: 'integer', min: 0, default: 0, commands: SELECT, help: 'at most this many items per sample (0 = no limit)', group: 'Selection' },
  { key: 'selectCacheMb', kind: 'integer', min: 0, default: 128, commands: SELECT, help: 'memory (MiB) for keeping target-tokenizer encodings between the budget pass and the writing pass; records beyond it are tokenized again (performance only: output is the same)', group: 'Selection' },
  { key: 'allowPartial', kind: 'boolean', default: false, commands: ['select'], help: 'select from an incomplete analysis (missing shards or parts) and report the missing records in the manifest (counts.missing)', group: 'Selection' },
  { key: 'allowFlagged', kind: 'boolean', default: false, commands: SELECT, help: 'let items touching ERROR/MISSING nodes be selected', group: 'Selection' },

  // output
  { key: 'tokenizer', kind: 'string', default: 'qwen2.5', commands: SELECT, help: 'target tokenizer: a preset name or a tokenizer.json path (its tokenizer_config.json beside it gives the chat template)', group: 'Output' },
  { key: 'template', kind: 'string', default: 'auto', commands: SELECT, help: 'chat template: auto (from tokenizer_config.json), none (plain concatenation), or a .jinja file', group: 'Output' },
  { key: 'maxLen', kind: 'integer', min: 8, default: 2048, commands: SELECT, help: 'pack length; longer samples are dropped (pack_too_long), never truncated', group: 'Output' },
  { key: 'format', kind: 'list', choices: FORMATS, default: ['parquet'], commands: SELECT, help: 'comma-separated writers: parquet, bin, jsonl', group: 'Output' },

  // gen
  { key: 'records', kind: 'integer', min: 1, default: 1000, commands: ['gen', 'bench'], help: 'gen: records to generate (default 1000); bench: generated pool size for the tokenize+mask+pack section (bench default 10000 when omitted)', group: 'Generator' },
  { key: 'genFormat', kind: 'string', choices: ['jsonl', 'jsonl.gz', 'parquet'], default: 'jsonl', commands: ['gen'], help: 'generated pool format', group: 'Generator' },

  // inspect
  { key: 'id', kind: 'string', commands: ['inspect'], help: 'show the sample with this id', group: 'Inspect' },
  { key: 'sample', kind: 'integer', min: 0, commands: ['inspect'], help: 'show the N-th sample', group: 'Inspect' },
  { key: 'best', kind: 'boolean', commands: ['inspect'], help: 'show the sample with the highest-scoring item', group: 'Inspect' },
  { key: 'worst', kind: 'boolean', commands: ['inspect'], help: 'show the sample with the lowest-scoring selected item', group: 'Inspect' },
  { key: 'reportSamples', kind: 'integer', min: 1, default: 500, commands: ['inspect'], help: 'samples embedded in the HTML report (the summary covers every record)', group: 'Inspect' },
  { key: 'html', kind: 'string', commands: ['inspect'], help: 'write a self-contained HTML report to this file', group: 'Inspect' },
];

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
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
export const ConfigFileSchema = z.strictObject(Object.fromEntries(OPTIONS.filter((o) => o.key !== 'config').map((o) => [o.key, zodFor(o)])));

export function optionsFor(command: Command): OptionSpec[] {
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
