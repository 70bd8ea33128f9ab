/**
 * Shared helpers of the benchmark harness (bench/run.ts): machine and version facts, timing
 * statistics, section isolation, generated pools, and a child-process runner that reports the
 * child's peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { PACKAGE_ROOT } from '../src/native.js';
import { defaultCacheDir } from '../src/scoring/fuse.js';

/** The shared real data (read-only): ../shared/data beside the package. */
export const SHARED_DATA_DIR = resolve(PACKAGE_ROOT, '..', 'shared', 'data');

/** Compiled directory of this file (dist/bench or dist-<x>/bench). */
export const BENCH_DIST_DIR = dirname(fileURLToPath(import.meta.url));

/** The compiled CLI module next to this compiled bench directory (dist/src/cli/main.js). */
export const CLI_MAIN = resolve(BENCH_DIST_DIR, '..', 'src', 'cli', 'main.js');

// ---------------------------------------------------------------------------------------------
// statistics

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The element at the median position by `key` (the lower middle one for an even count). */
export function medianBy<T>(xs: readonly T[], key: (x: T) => number): T {
  if (xs.length === 0) throw new RangeError('medianBy of nothing');
  const s = [...xs].sort((a, b) => key(a) - key(b));
  return s[(s.length - 1) >> 1]!;
}

export function minOf(xs: readonly number[]): number {
  return xs.length ? Math.min(...xs) : NaN;
}

/** Seconds since `t0` (performance.now() milliseconds). */
export function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Round to `digits` significant digits (for tables and JSON; keeps integers as they are). */
export function sig(x: number | null | undefined, digits = 4): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  if (x === 0 || Number.isInteger(x)) return x;
  return Number(x.toPrecision(digits));
}

// ---------------------------------------------------------------------------------------------
// machine and versions

export interface MachineInfo {
  cores: number;
  cpu: string;
  memory_gb: number;
  platform: string;
  kernel: string;
  /** 1-minute load average when the harness started (the machine may be shared). */
  load_at_start: number | null;
  /** CPU flags show a hypervisor (a VM: cores are vCPUs). */
  virtualized: boolean | null;
}

export function machineInfo(): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown';
  let virtualized: boolean | null = null;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (k: string) => new RegExp(`^${k}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    const name = field('model name');
    const family = field('cpu family');
    const model = field('model');
    if (name) cpu = `${name}${family && model ? ` (family ${family}, model ${model})` : ''}`;
    const flags = field('flags');
    if (flags !== undefined) virtualized = flags.split(/\s+/).includes('hypervisor');
  } catch {
    /* not Linux */
  }
  let load: number | null = null;
  try {
    load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    /* not Linux */
  }
  return {
    cores: availableParallelism(),
    cpu,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform}-${process.arch}`,
    kernel: release(),
    load_at_start: load,
    virtualized,
  };
}

function pkgVersion(name: string): string | null {
  try {
    return (
      JSON.parse(readFileSync(join(PACKAGE_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return null;
  }
}

export interface Versions {
  codeblock: string | null;
  node: string;
  v8: string;
  onnxruntime_node: string | null;
  onnxruntime: string | null;
  tree_sitter: string | null;
  tree_sitter_python: string | null;
  tree_sitter_language_abi: number | null;
  tokenizers: string | null;
  piscina: string | null;
  python: string | null;
  beniget: string | null;
  compiler: string | null;
}

export async function versions(): Promise<Versions> {
  let ortRuntime: string | null = null;
  try {
    const ort = (await import('onnxruntime-node')) as unknown as {
      env?: { versions?: { node?: string; common?: string } };
    };
    ortRuntime = ort.env?.versions?.node ?? ort.env?.versions?.common ?? null;
  } catch {
    /* reported as null */
  }
  let abi: number | null = null;
  let compiler: string | null = null;
  try {
    const { native } = await import('../src/native.js');
    const info = native().info();
    abi = info.treeSitterLanguageVersion ?? null;
    compiler = info.compiler ?? null;
  } catch {
    /* addon not built: the sections that need it record the error */
  }
  let python: string | null = null;
  let beniget: string | null = null;
  const py = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys\ntry:\n import importlib.metadata as m; b = m.version("beniget")\nexcept Exception: b = ""\n' +
        'print(sys.version.split()[0]); print(b)',
    ],
    { encoding: 'utf8' },
  );
  if (py.status === 0) {
    const [v, b] = py.stdout.trim().split('\n');
    python = v ?? null;
    beniget = b || null;
  }
  return {
    codeblock: pkgVersionOfRoot(),
    node: process.versions.node,
    v8: process.versions.v8,
    onnxruntime_node: pkgVersion('onnxruntime-node'),
    onnxruntime: ortRuntime,
    tree_sitter: pkgVersion('tree-sitter'),
    tree_sitter_python: pkgVersion('tree-sitter-python'),
    tree_sitter_language_abi: abi,
    tokenizers: pkgVersion('tokenizers'),
    piscina: pkgVersion('piscina'),
    python,
    beniget,
    compiler,
  };
}

function pkgVersionOfRoot(): string | null {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// sections

export type SectionOutcome<T> =
  | { status: 'ok'; seconds: number; result: T }
  | { status: 'error'; seconds: number; error: string }
  | { status: 'skipped'; seconds: 0; error: string };

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${t}] ${msg}\n`);
}

/** Run one benchmark section; a failure is recorded (never thrown) so the other sections still run. */
export async function runSection<T>(name: string, fn: () => Promise<T> | T): Promise<SectionOutcome<T>> {
  log(`${name}: start`);
  const t0 = performance.now();
  try {
    const result = await fn();
    const seconds = since(t0);
    log(`${name}: done in ${seconds.toFixed(1)} s`);
    return { status: 'ok', seconds, result };
  } catch (err) {
    const seconds = since(t0);
    const error = errorLine(err);
    log(`${name}: FAILED after ${seconds.toFixed(1)} s: ${error}`);
    if (process.env.CODEBLOCK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return { status: 'error', seconds, error };
  }
}

export function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 600);
}

/**
 * Import a benchmark module of another stage by path relative to this directory. The specifier is
 * a variable on purpose: a module that is missing or fails to load becomes a recorded section
 * error instead of a harness that cannot start.
 */
export async function importSection<T>(file: string): Promise<T> {
  const spec = new URL(file, import.meta.url).href;
  return (await import(spec)) as T;
}

// ---------------------------------------------------------------------------------------------
// working directory and generated pools

export class WorkDir {
  readonly root: string;
  constructor(root?: string) {
    this.root = root ?? join(tmpdir(), `codeblock-bench-${process.pid}`);
    mkdirSync(this.root, { recursive: true });
  }
  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }
  fresh(...parts: string[]): string {
    const p = this.path(...parts);
    rmSync(p, { recursive: true, force: true });
    mkdirSync(p, { recursive: true });
    return p;
  }
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A seeded pool from the project's generator (`codeblock gen`), cached in the work dir. */
export async function generatedPool(work: WorkDir, records: number, seed: number): Promise<string> {
  const out = work.path(`pool-${records}-s${seed}.jsonl`);
  if (existsSync(out) && statSync(out).size > 0) return out;
  const { generatePool } = await import('../src/gen/index.js');
  await generatePool({ records, seed, out, format: 'jsonl' });
  return out;
}

/** The ../shared/data JSONL files, sorted. */
export function sharedDataFiles(): string[] {
  if (!existsSync(SHARED_DATA_DIR)) return [];
  return dataFiles(SHARED_DATA_DIR);
}

/** The JSONL files of a data directory, sorted. */
export function dataFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(dir, f));
}

/** The `response` of every record of a data directory's JSONL files (default ../shared/data), in file order. */
export function dataResponses(dir = SHARED_DATA_DIR): string[] {
  const out: string[] = [];
  for (const f of dataFiles(dir))
    for (const line of readFileSync(f, 'utf8').split('\n'))
      if (line.trim()) out.push((JSON.parse(line) as { response: string }).response);
  return out;
}

// ---------------------------------------------------------------------------------------------
// child processes with peak RSS

export interface ChildRun {
  code: number | null;
  signal: string | null;
  seconds: number;
  /**
   * Peak resident set of the child (MiB): its own VmHWM, read from /proc/self/status at exit by the
   * bench child (see bench/memory.ts child mode); null when it did not report one.
   */
  peakRssMb: number | null;
  /**
   * process.resourceUsage().maxRSS of the child (MiB). Not used as the figure: on Linux a child's
   * ru_maxrss starts from the RSS of the parent it was forked from (the kernel carries the old
   * mm's high-water mark over exec), so it reads at least the harness's own RSS.
   */
  ruMaxRssMb: number | null;
  /** Highest VmHWM seen while polling /proc/<pid>/status from the parent (MiB): a cross-check. */
  polledHwmMb: number | null;
  /** CPU seconds of the child, every thread (user + system), and of its main thread alone; null if not reported. */
  cpuSeconds: number | null;
  mainCpuSeconds: number | null;
  stderrTail: string;
}

/** Marker line a bench child prints on stderr at exit (see bench/memory.ts child mode). */
export const RSS_MARKER = 'CODEBLOCK_BENCH_PEAK_RSS ';

/**
 * The marker line: `CODEBLOCK_BENCH_PEAK_RSS vmhwm_kb=<n|-> maxrss_kb=<n> cpu_s=<s> main_cpu_s=<s|->`: peak RSS,
 * the process's CPU seconds (every thread, user + system) and the calling (main) thread's alone.
 */
export function peakRssLine(): string {
  let hwm = '-';
  let main = '-';
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) hwm = m[1]!;
    // /proc/thread-self/stat: utime and stime (fields 14 and 15) in clock ticks (USER_HZ, 100 on Linux)
    const st = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    main = ((Number(f[11]) + Number(f[12])) / 100).toFixed(2);
  } catch {
    /* not Linux */
  }
  const cpu = process.cpuUsage();
  const cpuS = ((cpu.user + cpu.system) / 1e6).toFixed(2);
  return `${RSS_MARKER}vmhwm_kb=${hwm} maxrss_kb=${process.resourceUsage().maxRSS} cpu_s=${cpuS} main_cpu_s=${main}`;
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Spawn `node <args>` and report exit, wall time and peak RSS. */
export function runNodeChild(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd ?? PACKAGE_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let hwm = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
    });
    const poll = setInterval(() => {
      const k = child.pid !== undefined ? vmHwmKb(child.pid) : null;
      if (k !== null && k > hwm) hwm = k;
    }, 100);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      const m = new RegExp(`${RSS_MARKER}vmhwm_kb=(\\d+|-) maxrss_kb=(\\d+)`).exec(stderr);
      const cpuM = new RegExp(`${RSS_MARKER}.* cpu_s=([\\d.]+) main_cpu_s=([\\d.]+|-)`).exec(stderr);
      resolvePromise({
        code,
        signal,
        seconds: since(t0),
        peakRssMb: m && m[1] !== '-' ? Number(m[1]) / 1024 : null,
        ruMaxRssMb: m ? Number(m[2]) / 1024 : null,
        polledHwmMb: hwm ? hwm / 1024 : null,
        cpuSeconds: cpuM ? Number(cpuM[1]) : null,
        mainCpuSeconds: cpuM && cpuM[2] !== '-' ? Number(cpuM[2]) : null,
        stderrTail: stderr
          .split('\n')
          .filter((l) => l && !l.startsWith(RSS_MARKER))
          .slice(-5)
          .join('\n'),
      });
    });
  });
}

/** Parse an integer environment knob (undefined when unset or empty). */
export function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** Parse a comma-separated list of integers (e.g. CODEBLOCK_BENCH_MEMORY_SIZES=10000,100000). */
export function envIntList(name: string): number[] | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => {
    const n = Number(s.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`${name} must be a comma-separated list of positive integers, got "${v}"`);
    return n;
  });
}

/**
 * Check that a result of another stage's bench module has finite numbers at these dotted paths
 * (their modules are developed separately: a changed shape becomes a recorded section error).
 */
export function requireNumbers<T>(obj: T, paths: readonly string[], what: string): T {
  for (const p of paths) {
    let v: unknown = obj;
    for (const k of p.split('.'))
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${what}: result has no finite number at "${p}" (got ${JSON.stringify(v)})`);
  }
  return obj;
}

/**
 * A random-weight export of tools/train/export.py (`--random` plus `size` flags, `--fp16` when asked), made once
 * into $CODEBLOCK_CACHE/bench-models/random-<size values>[-fp16] and reused; `seconds` is null on reuse. Needs
 * /usr/bin/python3 with python3-torch and python3-onnx; a failed export leaves no directory behind.
 */
export function randomExport(size: readonly string[], fp16 = false): { dir: string; seconds: number | null } {
  const tag = `random-${size.filter((_, i) => i % 2).join('-')}${fp16 ? '-fp16' : ''}`;
  const dir = join(defaultCacheDir(), 'bench-models', tag);
  if (existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'config.json'))) return { dir, seconds: null };
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'cb-export-'));
  const t0 = performance.now();
  const args = [join(PACKAGE_ROOT, 'tools', 'train', 'export.py'), work, dir, '--random', ...size];
  const r = spawnSync('/usr/bin/python3', fp16 ? [...args, '--fp16'] : args, { encoding: 'utf8' });
  rmSync(work, { recursive: true, force: true });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      'tools/train/export.py failed (it needs /usr/bin/python3 with python3-torch and python3-onnx: ' +
        `scripts/test-deps.sh): ${(r.stderr || String(r.error)).trim().split('\n').pop()}`,
    );
  }
  return { dir, seconds: (performance.now() - t0) / 1000 };
}
