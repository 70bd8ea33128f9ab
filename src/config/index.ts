/**
 * Effective configuration = defaults ← config file ← flags. Validated against the option table;
 * errors name the bad key and say what was expected.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CodeblockError } from '../errors.js';
import { fieldsText, parseFields, presetForFields } from '../io/presets.js';
import {
  CONFIG_OPTIONS,
  ConfigFileSchema,
  OPTIONS,
  findOption,
  flagName,
  optionsFor,
  suggest,
  type CodeblockConfig,
  type Command,
} from './options.js';

export {
  OPTIONS,
  MODES,
  FORMATS,
  SELECT_KEYS,
  flagName,
  optionsFor,
  type CodeblockConfig,
  type Command,
  type ConfigKey,
  type Mode,
  type OptionCommand,
  type OptionKind,
  type OptionSpec,
  type SelectKey,
  type SubmitFlags,
} from './options.js';

/** Defaults for every knob (the embedded model is resolved later, when `model` is unset). */
export function defaultConfig(): CodeblockConfig {
  const out: Record<string, unknown> = {};
  for (const o of CONFIG_OPTIONS) {
    if (o.default !== undefined) out[o.key] = Array.isArray(o.default) ? [...o.default] : o.default;
  }
  return out as unknown as CodeblockConfig;
}

function describeIssue(
  issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] },
  file: string,
): string {
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const key = issue.keys[0]!;
    const known = CONFIG_OPTIONS.map((o) => o.key);
    const hint = suggest(key, known);
    return `${file}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
  }
  const key = String(issue.path[0] ?? '');
  const spec = findOption(key);
  const expected = spec?.choices ? `one of ${spec.choices.join(', ')}` : (spec?.kind ?? 'a valid value');
  return `${file}: bad value for "${key}": ${issue.message.replace(/^Invalid input: /, '')} (expected ${expected})`;
}

/** Read and validate a JSON or YAML config file. Keys may be camelCase or kebab-case. */
export function loadConfigFile(path: string): Partial<CodeblockConfig> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new CodeblockError(`config file not found: ${path}`);
  let data: unknown;
  const text = readFileSync(path, 'utf8');
  try {
    data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new CodeblockError(
      `config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ` +
        `${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new CodeblockError(`config file ${path} must hold an object of options`);
  const normalized: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const key = k.includes('-') ? k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : k;
    normalized[key] =
      (key === 'format' || key === 'languages') && typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  }
  const parsed = ConfigFileSchema.safeParse(normalized);
  if (!parsed.success) throw new CodeblockError(describeIssue(parsed.error.issues[0] as never, path));
  return parsed.data as Partial<CodeblockConfig>;
}

/** `--fields` implies a preset; an explicit other `--preset` is refused (one line, E_USAGE). */
function readPresetFor(cfg: CodeblockConfig): void {
  const map = parseFields(cfg.fields);
  const implied = map && presetForFields(map);
  if (implied && cfg.preset !== 'auto' && cfg.preset !== implied) {
    const msg = `--fields ${fieldsText(map!)} reads records as preset ${implied}, not ${cfg.preset}: drop one of them`;
    throw new CodeblockError(msg, 'E_USAGE');
  }
}

/**
 * Merge defaults, a config file and explicit overrides, validating the result.
 * Keys the command does not use are kept (a config file can serve several commands).
 */
/**
 * `parseTimeoutMs` (`--parse-timeout-ms`) is the old name of `wallTimeoutMs`: it was a wall-clock parse limit,
 * and the deterministic limit is now `workBudget`. Taken as `wallTimeoutMs` (unless that is given too), with
 * one line on stderr; it never reaches the resolved config (so it is not part of an analysis' identity).
 */
function deprecatedParseTimeout(
  merged: Record<string, unknown>,
  overrides: Record<string, unknown>,
  fromFile: Record<string, unknown>,
): void {
  const v = merged.parseTimeoutMs;
  delete merged.parseTimeoutMs;
  if (v === undefined) return;
  if (overrides.wallTimeoutMs === undefined && fromFile.wallTimeoutMs === undefined) merged.wallTimeoutMs = v;
  process.stderr.write(
    'codeblock: --parse-timeout-ms is deprecated: it is taken as --wall-timeout-ms (the wall-clock safety net); ' +
      'the per-record limit is --work-budget (docs/structure.md)\n',
  );
}

export function resolveConfig(
  command: Command,
  overrides: Partial<CodeblockConfig> = {},
  configFile?: string,
): CodeblockConfig {
  const fromFile = configFile ? loadConfigFile(configFile) : {};
  const merged = { ...defaultConfig(), ...fromFile } as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  deprecatedParseTimeout(merged, overrides, fromFile);
  const parsed = ConfigFileSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    throw new CodeblockError(describeIssue(issue as never, `--${flagName(key)}`).replace(/^--[^:]+: /, ''));
  }
  void optionsFor(command);
  const cfg = parsed.data as unknown as CodeblockConfig;
  readPresetFor(cfg); // the reader checks them too (library callers of readRecords); here they fail before any work
  const given = Object.keys(overrides).filter((k) => (overrides as Record<string, unknown>)[k] !== undefined);
  SOURCES.set(cfg, { file: configFile, fromFile: new Set(Object.keys(fromFile)), fromFlags: new Set(given) });
  return cfg;
}

/** Which keys of a config {@link resolveConfig} returned were set explicitly, and where. */
interface ConfigSources {
  file: string | undefined;
  fromFile: ReadonlySet<string>;
  fromFlags: ReadonlySet<string>;
}

const SOURCES = new WeakMap<object, ConfigSources>();

/**
 * Where a key of a config got its value: `flag` (a flag, or an override of the library call), `file`
 * (the config file), `default`. A config that did not come from {@link resolveConfig} (built by hand,
 * or a copy) has no record: a key counts as given when it holds a value other than its default.
 */
export function configSource(cfg: CodeblockConfig, key: string): 'flag' | 'file' | 'default' {
  const src = SOURCES.get(cfg);
  if (src) return src.fromFlags.has(key) ? 'flag' : src.fromFile.has(key) ? 'file' : 'default';
  const value = (cfg as unknown as Record<string, unknown>)[key];
  const def = findOption(key)?.default;
  return value === undefined || value === def ? 'default' : 'flag';
}

/**
 * The options that ask the reference LM for something (`needsScorer` in the option table) and were
 * given although `scorer` is none: given explicitly (flag or config file) and, for a boolean, true.
 */
export function scorerOptionsWithoutScorer(cfg: CodeblockConfig): string[] {
  if (cfg.scorer !== 'none') return [];
  const rec = cfg as unknown as Record<string, unknown>;
  return OPTIONS.filter(
    (o) => o.needsScorer && configSource(cfg, o.key) !== 'default' && (o.kind !== 'boolean' || rec[o.key] === true),
  ).map((o) => o.key);
}

/**
 * Refuses (E_USAGE, one line) an analyze config that gives scorer options with `--scorer none`:
 * they would be ignored silently (`--ifd` would compute no IFD). Call before any work.
 */
export function refuseScorerOptions(cfg: CodeblockConfig): void {
  const keys = scorerOptionsWithoutScorer(cfg);
  if (keys.length === 0) return;
  const file = SOURCES.get(cfg)?.file;
  const named = keys.map((k) =>
    configSource(cfg, k) === 'file' ? `${k} (from ${file ?? 'the config file'})` : `--${flagName(k)}`,
  );
  const list = named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`;
  throw new CodeblockError(
    `${list} ${keys.length === 1 ? 'only applies' : 'only apply'} with the reference LM, but --scorer none skips ` +
      `it: drop ${keys.length === 1 ? 'it' : 'them'} or use --scorer lm`,
  );
}

/** Parse "i/n" (or "auto" from Slurm / Kubernetes indexed jobs). */
export function parseShard(
  spec: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { index: number; count: number } {
  let s = spec;
  if (spec === 'auto') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined && env.CODEBLOCK_SHARD_COUNT !== undefined) {
      // explicit count: robust to resubmitting a subset (`--array=2`) or stepped arrays
      s = `${env.SLURM_ARRAY_TASK_ID}/${env.CODEBLOCK_SHARD_COUNT}`;
    } else if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
      const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
      s = `${Number(env.SLURM_ARRAY_TASK_ID) - min}/${env.SLURM_ARRAY_TASK_COUNT}`;
    } else if (env.JOB_COMPLETION_INDEX !== undefined) {
      const count = env.CODEBLOCK_SHARD_COUNT ?? env.JOB_COMPLETION_COUNT;
      if (count === undefined)
        throw new CodeblockError(
          '--shard auto: JOB_COMPLETION_INDEX is set but not the shard count (set CODEBLOCK_SHARD_COUNT to the ' +
            "Job's completions)",
        );
      s = `${env.JOB_COMPLETION_INDEX}/${count}`;
    } else {
      throw new CodeblockError(
        '--shard auto: neither SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm array) nor ' +
          'JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set',
      );
    }
  }
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new CodeblockError(`--shard must be i/n (e.g. 0/4) or auto, got "${spec}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new CodeblockError(`--shard ${s}: need 0 <= i < n`);
  return { index, count };
}
