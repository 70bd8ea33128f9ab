/**
 * Slurm: the analyze pass as a job array (one shard per array task) and one `select` job that
 * depends on it (`afterok`). Scripts come from deploy/slurm/ (the same files users can sbatch by
 * hand); this module fills in the codeblock command, builds the sbatch command lines and submits.
 *
 * No cluster code of ours runs anywhere: Slurm schedules, the tasks share a filesystem, and the
 * shard layout (`--shard i/N`, resume per part) and the ordinal merge in `select` do the rest.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CodeblockError } from '../errors.js';
import { PACKAGE_ROOT } from '../native.js';

/** deploy/slurm/ of the installed package: the script templates. */
export const SLURM_TEMPLATES_DIR = join(PACKAGE_ROOT, 'deploy', 'slurm');

/** Per-job resource requests (all optional: the cluster's defaults apply). */
export interface SlurmResources {
  partition?: string;
  account?: string;
  qos?: string;
  /** Wall-time limit in any sbatch --time format (e.g. "4:00:00", "1-00:00:00"). */
  time?: string;
  /** Memory per node, sbatch --mem format (e.g. "16G"). */
  mem?: string;
  /** CPUs per task (analyze: per shard); also becomes `--workers` inside the job. */
  cpus?: number;
  /** GPUs per task (analyze: per shard), requested as `--gres=gpu:N`. */
  gpus?: number;
}

export interface SlurmJobSpec {
  /** Number of shards N; the array covers indices 0..N-1. */
  shards: number;
  /** Input files, as the jobs will see them (relative paths resolve in `cwd`). */
  inputs: string[];
  /** Output directory of `select` (relative paths resolve in `cwd`). */
  out: string;
  /** Where the shards write their analysis files; default `<out>/analysis` (as `codeblock run`). */
  analysisDir?: string;
  /** Array indices to submit, Slurm syntax (`0-3`, `2`, `1,5-7`); default all, `0-(N-1)`. */
  array?: string;
  /** Run at most this many shards at once (sbatch `--array=…%K`). */
  maxParallel?: number;
  /** Extra `codeblock analyze` options (after the inputs). */
  analyzeOptions?: string[];
  /** Extra `codeblock select` options. */
  selectOptions?: string[];
  /** Resources of each analyze array task. `gpus > 0` also adds `--device cuda` unless the options set --device. */
  analyze?: SlurmResources;
  /** Resources of the select job. */
  select?: SlurmResources;
  /** Job name prefix (`<prefix>-analyze`, `<prefix>-select`); default "codeblock". */
  jobName?: string;
  /** Extra sbatch arguments for both jobs (e.g. `--constraint=a100`, `--mail-type=END`). */
  sbatchArgs?: string[];
  /** Working directory of the jobs; default `process.cwd()`. Must be visible on every node. */
  cwd?: string;
  /** Node binary the jobs run; default `process.execPath`. */
  node?: string;
  /** codeblock CLI entry the jobs run; default `$CODEBLOCK_BIN`, else this package's bin/codeblock. */
  bin?: string;
  /** Where the script templates are; default deploy/slurm/ of this package. */
  templatesDir?: string;
}

export interface SlurmPlan {
  shards: number;
  /** Array indices submitted (sorted, unique). */
  tasks: number[];
  /** Array spec as given to sbatch (without the throttle). */
  array: string;
  out: string;
  analysisDir: string;
  cwd: string;
  /** `<out>/slurm` (absolute): the written scripts and jobs.jsonl. */
  scriptsDir: string;
  /** `<out>/slurm/logs` (absolute): one log per array task and one per select job. */
  logsDir: string;
  analyzeScript: { path: string; text: string };
  selectScript: { path: string; text: string };
  /** sbatch arguments of the analyze array. */
  analyzeArgs: string[];
  /** sbatch arguments of the select job, depending on the given array job id. */
  selectArgs(analyzeJobId: string): string[];
}

export interface SlurmSubmission {
  analyzeJob: string;
  selectJob: string;
  tasks: number[];
}

/** POSIX-shell single quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Parse a Slurm array spec restricted to shard indices: comma-separated `i`, `a-b` or `a-b:step`.
 * Returns the sorted unique indices; throws a CodeblockError for bad syntax or indices >= shards.
 */
export function parseArraySpec(spec: string, shards: number): number[] {
  if (!Number.isSafeInteger(shards) || shards < 1)
    throw new RangeError(`shards must be a positive integer, got ${String(shards)}`);
  const out = new Set<number>();
  const s = spec.trim();
  if (s === '') throw new CodeblockError('--array: empty array spec');
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m)
      throw new CodeblockError(
        `--array: "${part}" is not an index, a range a-b or a stepped range a-b:s (Slurm syntax, e.g. 0-3 or ` +
          '1,5-7; use --max-parallel for %K)',
      );
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (b < a) throw new CodeblockError(`--array: range "${part}" runs backwards`);
    if (step < 1) throw new CodeblockError(`--array: step in "${part}" must be >= 1`);
    if (b >= shards)
      throw new CodeblockError(`--array: index ${b} is not a shard of ${shards} (indices are 0..${shards - 1})`);
    for (let i = a; i <= b; i += step) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Compact Slurm array spec for sorted unique indices (`0-3`, `1,3,5-7`). */
export function formatArraySpec(tasks: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < tasks.length; ) {
    let j = i;
    while (j + 1 < tasks.length && tasks[j + 1] === tasks[j]! + 1) j++;
    parts.push(j > i ? `${tasks[i]}-${tasks[j]}` : `${tasks[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The job id in `sbatch --parsable` output (`<id>` or `<id>;<cluster>`). */
export function parseSbatchJobId(stdout: string): string {
  const line = stdout.trim().split('\n').pop() ?? '';
  const m = /^(\d+)(?:;\S+)?$/.exec(line.trim());
  if (!m)
    throw new CodeblockError(
      `could not read a job id from sbatch output: ${JSON.stringify(stdout.trim().slice(0, 200))}`,
      'E_SLURM',
    );
  return m[1]!;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the generated script
const NODE_LINE = 'CODEBLOCK_NODE=${CODEBLOCK_NODE:-}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the generated script
const BIN_LINE = 'CODEBLOCK_BIN=${CODEBLOCK_BIN:-}';

/** A deploy/slurm template with the codeblock command filled in (the environment can still override it). */
export function fillTemplate(template: string, node: string, bin: string): string {
  const lines = template.split('\n');
  const iNode = lines.indexOf(NODE_LINE);
  const iBin = lines.indexOf(BIN_LINE);
  if (iNode < 0 || iBin < 0)
    throw new CodeblockError(`Slurm script template lacks the "${NODE_LINE}" / "${BIN_LINE}" lines`, 'E_INTERNAL');
  lines[iNode] = `CODEBLOCK_NODE=\${CODEBLOCK_NODE:-${shellQuote(node)}}`;
  lines[iBin] = `CODEBLOCK_BIN=\${CODEBLOCK_BIN:-${shellQuote(bin)}}`;
  return lines.join('\n');
}

function positiveInt(v: number | undefined, what: string): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
    throw new CodeblockError(`${what} must be a positive integer, got ${String(v)}`);
}

function resourceArgs(r: SlurmResources | undefined, what: string): string[] {
  if (!r) return [];
  positiveInt(r.cpus, `${what} CPUs`);
  if (r.gpus !== undefined && (!Number.isSafeInteger(r.gpus) || r.gpus < 0))
    throw new CodeblockError(`${what} GPUs must be a non-negative integer, got ${String(r.gpus)}`);
  const a: string[] = [];
  if (r.partition) a.push(`--partition=${r.partition}`);
  if (r.account) a.push(`--account=${r.account}`);
  if (r.qos) a.push(`--qos=${r.qos}`);
  if (r.time) a.push(`--time=${r.time}`);
  if (r.mem) a.push(`--mem=${r.mem}`);
  if (r.cpus) a.push(`--cpus-per-task=${r.cpus}`);
  if (r.gpus) a.push(`--gres=gpu:${r.gpus}`);
  return a;
}

/** Work out the scripts and sbatch command lines of a submission (writes nothing). */
export function planSlurm(spec: SlurmJobSpec): SlurmPlan {
  const { shards } = spec;
  if (!Number.isSafeInteger(shards) || shards < 1)
    throw new CodeblockError(`--shards must be a positive integer, got ${String(shards)}`);
  if (!spec.inputs.length) throw new CodeblockError('a Slurm submission needs at least one input file');
  if (!spec.out) throw new CodeblockError('a Slurm submission needs an output directory (-o)');
  positiveInt(spec.maxParallel, '--max-parallel');
  const tasks =
    spec.array === undefined ? Array.from({ length: shards }, (_, i) => i) : parseArraySpec(spec.array, shards);
  const array = formatArraySpec(tasks);
  const cwd = resolve(spec.cwd ?? process.cwd());
  const out = spec.out;
  const analysisDir = spec.analysisDir ?? join(out, 'analysis');
  const scriptsDir = resolve(cwd, out, 'slurm');
  const logsDir = join(scriptsDir, 'logs');
  const node = spec.node ?? process.execPath;
  const bin = spec.bin ?? process.env.CODEBLOCK_BIN ?? join(PACKAGE_ROOT, 'bin', 'codeblock');
  const templates = spec.templatesDir ?? SLURM_TEMPLATES_DIR;
  const readTemplate = (name: string): string => {
    try {
      return readFileSync(join(templates, name), 'utf8');
    } catch (err) {
      throw new CodeblockError(
        `Slurm script template ${join(templates, name)} is missing (${(err as Error).message})`,
        'E_INPUT',
      );
    }
  };
  const analyzeScript = {
    path: join(scriptsDir, 'analyze.sbatch'),
    text: fillTemplate(readTemplate('analyze.sbatch'), node, resolve(cwd, bin)),
  };
  const selectScript = {
    path: join(scriptsDir, 'select.sbatch'),
    text: fillTemplate(readTemplate('select.sbatch'), node, resolve(cwd, bin)),
  };
  const prefix = spec.jobName ?? 'codeblock';
  const extra = spec.sbatchArgs ?? [];

  const analyzeOptions = [...(spec.analyzeOptions ?? [])];
  if ((spec.analyze?.gpus ?? 0) > 0 && !analyzeOptions.some((a) => a === '--device' || a.startsWith('--device=')))
    analyzeOptions.push('--device', 'cuda');

  const analyzeArgs = [
    '--parsable',
    `--array=${array}${spec.maxParallel ? `%${spec.maxParallel}` : ''}`,
    `--job-name=${prefix}-analyze`,
    `--chdir=${cwd}`,
    `--output=${join(logsDir, 'analyze-%A_%a.out')}`,
    ...resourceArgs(spec.analyze, 'analyze'),
    ...extra,
    analyzeScript.path,
    String(shards),
    analysisDir,
    ...spec.inputs,
    ...analyzeOptions,
  ];
  const selectRes = resourceArgs(spec.select, 'select');
  const selectOptions = spec.selectOptions ?? [];
  const selectArgs = (analyzeJobId: string): string[] => [
    '--parsable',
    `--dependency=afterok:${analyzeJobId}`,
    '--kill-on-invalid-dep=yes',
    `--job-name=${prefix}-select`,
    `--chdir=${cwd}`,
    `--output=${join(logsDir, 'select-%j.out')}`,
    ...selectRes,
    ...extra,
    selectScript.path,
    analysisDir,
    out,
    ...selectOptions,
  ];
  return {
    shards,
    tasks,
    array,
    out,
    analysisDir,
    cwd,
    scriptsDir,
    logsDir,
    analyzeScript,
    selectScript,
    analyzeArgs,
    selectArgs,
  };
}

/** Write `<out>/slurm/{analyze,select}.sbatch` and create the log directory (Slurm does not). */
export function writeSlurmScripts(plan: SlurmPlan): void {
  mkdirSync(plan.logsDir, { recursive: true });
  for (const s of [plan.analyzeScript, plan.selectScript]) {
    writeFileSync(s.path, s.text);
    chmodSync(s.path, 0o755);
  }
}

/** The two sbatch commands as shell lines (for --dry-run and error messages). */
export function slurmCommandLines(
  plan: SlurmPlan,
  sbatch = 'sbatch',
  analyzeJobId = '<analyze-job-id>',
): [string, string] {
  const line = (args: string[]) => [sbatch, ...args].map(shellQuote).join(' ');
  return [line(plan.analyzeArgs), line(plan.selectArgs(analyzeJobId))];
}

export interface SbatchOptions {
  /** sbatch executable; default "sbatch" from PATH. */
  sbatch?: string;
  /** Environment of sbatch (and, with Slurm's default --export=ALL, of the jobs). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per-sbatch-call time limit; default 120 s. */
  timeoutMs?: number;
}

function runSbatch(args: string[], opts: SbatchOptions): Promise<string> {
  const sbatch = opts.sbatch ?? 'sbatch';
  return new Promise((resolveP, reject) => {
    execFile(
      sbatch,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 1 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const why =
            e.code === 'ENOENT'
              ? `${sbatch} not found (is this a Slurm login node? install slurm-client or pass --sbatch PATH)`
              : e.killed
                ? `${sbatch} did not answer within ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s`
                : (stderr || e.message).trim().split('\n').slice(-3).join(' | ');
          reject(new CodeblockError(`sbatch failed: ${why}`, 'E_SLURM'));
          return;
        }
        resolveP(stdout);
      },
    );
  });
}

/**
 * Write the scripts and submit: the analyze array first, then select with `afterok` on it.
 * Appends one line per submission to `<out>/slurm/jobs.jsonl`.
 */
export async function submitSlurm(plan: SlurmPlan, opts: SbatchOptions = {}): Promise<SlurmSubmission> {
  writeSlurmScripts(plan);
  const analyzeJob = parseSbatchJobId(await runSbatch(plan.analyzeArgs, opts));
  let selectJob: string;
  try {
    selectJob = parseSbatchJobId(await runSbatch(plan.selectArgs(analyzeJob), opts));
  } catch (err) {
    const [, selectLine] = slurmCommandLines(plan, opts.sbatch, analyzeJob);
    throw new CodeblockError(
      `analyze array ${analyzeJob} was submitted but the select job was not (${(err as Error).message}); submit ` +
        `it with: ${selectLine}`,
      'E_SLURM',
    );
  }
  appendFileSync(
    join(plan.scriptsDir, 'jobs.jsonl'),
    `${JSON.stringify({
      submitted: new Date().toISOString(),
      shards: plan.shards,
      array: plan.array,
      analyze_job: analyzeJob,
      select_job: selectJob,
    })}\n`,
  );
  return { analyzeJob, selectJob, tasks: plan.tasks };
}
