/**
 * A throw-away single-node Slurm cluster for tests: munged, slurmctld and slurmd run in the
 * foreground as children of this process, with every file (config, key, sockets, state, logs) in one
 * private directory and free ports picked at start, so it never touches /etc/slurm, /run/munge or a
 * cluster that may already run on the machine.
 *
 * Facts this relies on (Debian 12 slurm-wlm 22.05, no systemd, no cgroups, gVisor):
 *  - proctrack/linuxproc + task/none + jobacct_gather/none + accounting_storage/none need no cgroups;
 *  - munged runs fine from a private key and socket (AuthInfo=socket=…), no /run/munge needed;
 *  - SlurmctldHost must be `hostname -s` (else slurmctld quits silently), NodeAddr=127.0.0.1 and
 *    `slurmd -N <name>` avoid name resolution;
 *  - slurmd ignores SIGTERM while it cannot reach the controller: `scontrol shutdown`, then SIGKILL
 *    after a grace period;
 *  - batch_sched_delay=0,sched_min_interval=0 make a 4-task array + dependent job take seconds.
 *
 * Every wait is bounded and checks that the daemons are still alive. stop() is idempotent and is
 * also run from process exit / signal hooks, so the cluster goes away even when a test fails.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Slurm cannot be started here (not installed, not root, a daemon would not come up). */
export class SlurmUnavailable extends Error {
  /** `missing`: not installed / not root / not Linux; `failed`: installed, but a daemon did not come up. */
  readonly kind: 'missing' | 'failed';
  constructor(message: string, kind: 'missing' | 'failed' = 'missing') {
    super(message);
    this.name = 'SlurmUnavailable';
    this.kind = kind;
  }
}

export interface LocalSlurmOptions {
  /** CPUs of the one node; default: this machine's available parallelism. */
  cpus?: number;
  /** Bound on bringing each daemon up; default 20 s. */
  startTimeoutMs?: number;
  /** Progress messages (bring-up steps, timings). */
  log?: (msg: string) => void;
}

export interface JobState {
  /** `123` or `123_4` for an array task. */
  id: string;
  state: string;
  reason: string;
}

const DIR_PREFIX = 'cb-slurm-';
const TERMINAL = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'PREEMPTED',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
  'DEADLINE',
]);
const DAEMONS = [
  'munged',
  'munge',
  'unmunge',
  'slurmctld',
  'slurmd',
  'sbatch',
  'squeue',
  'scontrol',
  'scancel',
  'sinfo',
];
export const INSTALL_HINT = 'apt-get install -y --no-install-recommends slurm-wlm munge';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    if (d && existsSync(join(d, cmd))) return join(d, cmd);
  }
  return undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolveP, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolveP(port));
    });
  });
}

function tail(path: string, lines = 15): string {
  try {
    const all = readFileSync(path, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const CLUSTER_COMMS = new Set(['munged', 'slurmctld', 'slurmscriptd', 'slurmd', 'slurmstepd']);

/**
 * Processes of the cluster whose files live under `dir` (Linux /proc; unreadable ones are skipped):
 * its daemons and job steps (by name) and the processes of its jobs (SLURM_JOB_ID in their
 * environment), each mentioning `dir` in its command line or environment. A shell that merely
 * exported SLURM_CONF=<dir>/slurm.conf (or an squeue it runs) is not one of them.
 */
function clusterProcesses(dir: string): number[] {
  const needle = dir.endsWith('/') ? dir : `${dir}/`;
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`);
      const environ = readFileSync(`/proc/${pid}/environ`);
      if (!cmdline.includes(needle) && !environ.includes(needle)) continue;
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const inJob = environ.includes('\0SLURM_JOB_ID=') || environ.subarray(0, 13).toString() === 'SLURM_JOB_ID=';
      if (CLUSTER_COMMS.has(comm) || inJob) found.push(pid);
    } catch {
      /* gone, or not readable */
    }
  }
  return found;
}

function killHard(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/**
 * Remove clusters a previous test process left behind (it was SIGKILLed before its hooks ran):
 * their directory names an owner pid that is no longer alive; every process that mentions that
 * directory (daemons, job steps, jobs) is killed and the directory removed.
 */
export function reapStaleClusters(log?: (m: string) => void): void {
  let dirs: string[] = [];
  try {
    dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const d of dirs) {
    const dir = join(tmpdir(), d);
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isSafeInteger(owner) || pidAlive(owner)) continue;
    const pids = clusterProcesses(dir);
    if (pids.length) log?.(`reaping ${pids.length} process(es) of a stale test cluster in ${dir}`);
    killHard(pids);
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveP) => {
    execFile(cmd, args, { env, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : null;
      resolveP({ code, stdout, stderr: stderr || (e && !stdout ? e.message : '') });
    });
  });
}

export class LocalSlurm {
  readonly dir: string;
  readonly conf: string;
  readonly nodeName = 'cbnode';
  readonly partition = 'cbtest';
  /** Environment for Slurm clients (sbatch, squeue…) and everything submitting to this cluster. */
  readonly env: NodeJS.ProcessEnv;
  private readonly procs = new Map<string, ChildProcess>();
  private readonly exited = new Map<string, string>();
  private readonly log: (m: string) => void;
  private stopping: Promise<void> | undefined;
  private readonly hooks: Array<[string, (...a: unknown[]) => void]> = [];

  private constructor(dir: string, log: (m: string) => void) {
    this.dir = dir;
    this.conf = join(dir, 'slurm.conf');
    this.log = log;
    this.env = { ...process.env, SLURM_CONF: this.conf };
    // Client commands must not pick up a user's other cluster settings.
    for (const k of Object.keys(this.env))
      if (/^(SBATCH|SQUEUE|SLURM)_/.test(k) && k !== 'SLURM_CONF') delete this.env[k];
  }

  /**
   * Bring a one-node cluster up, or throw SlurmUnavailable saying why it cannot run here. A failed
   * bring-up is retried once with fresh ports (another process may take a port between the probe and
   * slurmctld binding it).
   */
  static async start(opts: LocalSlurmOptions = {}): Promise<LocalSlurm> {
    const log = opts.log ?? (() => {});
    const missing = DAEMONS.filter((c) => !which(c));
    if (missing.length)
      throw new SlurmUnavailable(
        `Slurm/munge not installed (missing ${missing.join(', ')}); install with: ${INSTALL_HINT}`,
      );
    if (process.getuid?.() !== 0)
      throw new SlurmUnavailable(
        'a local Slurm test cluster needs root (slurmd launches jobs and reads its spool as root)',
      );
    if (process.platform !== 'linux')
      throw new SlurmUnavailable(`a local Slurm test cluster needs Linux, not ${process.platform}`);
    reapStaleClusters(log);
    for (let attempt = 1; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
      chmodSync(dir, 0o755); // munged wants its socket directory traversable by everyone
      const cluster = new LocalSlurm(dir, log);
      writeFileSync(join(dir, 'owner.pid'), String(process.pid));
      cluster.installHooks();
      try {
        await cluster.bringUp(opts);
        return cluster;
      } catch (err) {
        await cluster.stop();
        if (err instanceof SlurmUnavailable) throw err;
        if (attempt < 2) {
          log(`slurm: bring-up failed (${(err as Error).message.split('\n')[0]}); retrying once`);
          continue;
        }
        throw new SlurmUnavailable(`Slurm did not start: ${(err as Error).message}`, 'failed');
      }
    }
  }

  private installHooks(): void {
    const onExit = () => this.killAllSync();
    process.on('exit', onExit);
    this.hooks.push(['exit', onExit]);
    for (const [sig, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const h = () => {
        this.killAllSync();
        process.exit(code);
      };
      process.once(sig, h);
      this.hooks.push([sig, h]);
    }
  }

  private removeHooks(): void {
    for (const [ev, h] of this.hooks) process.removeListener(ev, h);
    this.hooks.length = 0;
  }

  private spawnDaemon(name: string, cmd: string, args: string[]): ChildProcess {
    const fd = openSync(join(this.dir, 'logs', `${name}.log`), 'a');
    const child = spawn(cmd, args, { env: this.env, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    child.on('exit', (code, signal) =>
      this.exited.set(name, signal ? `killed by ${signal}` : `exited with code ${code}`),
    );
    child.on('error', (err) => this.exited.set(name, `failed to start: ${err.message}`));
    child.unref();
    this.procs.set(name, child);
    return child;
  }

  /** Throws if a daemon has died (with its log tail), so no wait hangs on a dead cluster. */
  assertAlive(): void {
    for (const [name, why] of this.exited) {
      if (this.stopping) return;
      throw new Error(`${name} ${why}; its log ends with:\n${tail(join(this.dir, 'logs', `${name}.log`))}`);
    }
  }

  private async waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      this.assertAlive();
      if (await probe()) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  private async bringUp(opts: LocalSlurmOptions): Promise<void> {
    const t0 = Date.now();
    const timeout = opts.startTimeoutMs ?? 20_000;
    const d = this.dir;
    for (const sub of ['logs', 'state', 'spool']) mkdirSync(join(d, sub), { recursive: true });
    const sock = join(d, 'munge.sock');
    if (Buffer.byteLength(sock) > 100)
      throw new SlurmUnavailable(`munge socket path too long for a Unix socket: ${sock}`);
    writeFileSync(join(d, 'munge.key'), randomBytes(1024), { mode: 0o600 });
    this.spawnDaemon('munged', 'munged', [
      '-F',
      `--socket=${sock}`,
      `--key-file=${join(d, 'munge.key')}`,
      `--pid-file=${join(d, 'munged.pid')}`,
      `--seed-file=${join(d, 'munged.seed')}`,
    ]);
    await this.waitFor('munged', timeout, async () => {
      const r = spawnSync('sh', ['-c', `munge -n -S "$1" | unmunge -S "$1" >/dev/null`, 'sh', sock], { timeout: 5000 });
      return r.status === 0;
    });

    const [ctldPort, dPort] = [await freePort(), await freePort()];
    const host = hostname().split('.')[0]!;
    const cpus = opts.cpus ?? availableParallelism();
    const user = userInfo().username;
    writeFileSync(
      this.conf,
      [
        `# codeblock test cluster (${d}); generated by test/slurm/cluster.ts`,
        'ClusterName=cbtest',
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${dPort}`,
        `SlurmUser=${user}`,
        `SlurmdUser=${user}`,
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${sock}`,
        `StateSaveLocation=${join(d, 'state')}`,
        `SlurmdSpoolDir=${join(d, 'spool')}`,
        `SlurmctldPidFile=${join(d, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(d, 'slurmd.pid')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'JobCompType=jobcomp/none',
        'MpiDefault=none',
        'SwitchType=switch/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_CPU',
        'SchedulerType=sched/backfill',
        'SchedulerParameters=batch_sched_delay=0,sched_min_interval=0',
        // Finished jobs stay visible to squeue for 10 minutes (the test reads their final states).
        'MinJobAge=600',
        'ReturnToService=2',
        'SlurmdParameters=config_overrides',
        'SlurmdTimeout=30',
        'InactiveLimit=0',
        'KillWait=5',
        `NodeName=${this.nodeName} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
        `PartitionName=${this.partition} Nodes=${this.nodeName} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    this.spawnDaemon('slurmctld', 'slurmctld', ['-D', '-i']);
    await this.waitFor('slurmctld', timeout, async () => {
      const r = await run('scontrol', ['ping'], this.env, 5000);
      return r.code === 0 && /is UP/.test(r.stdout);
    });
    this.spawnDaemon('slurmd', 'slurmd', ['-D', '-N', this.nodeName]);
    await this.waitFor('slurmd', timeout, async () => {
      const r = await run('sinfo', ['-h', '-n', this.nodeName, '-o', '%t'], this.env, 5000);
      return r.code === 0 && /^idle/.test(r.stdout.trim());
    });
    this.log(
      `slurm: one-node cluster up in ${Date.now() - t0} ms (${host}, ${cpus} CPUs, ports ${ctldPort}/${dPort}, ${d})`,
    );
  }

  /** squeue over the given job ids (array tasks expanded, finished jobs included). */
  async jobs(ids: readonly string[]): Promise<JobState[]> {
    const r = await run('squeue', ['-h', '-r', '-t', 'all', '-j', ids.join(','), '-o', '%i|%T|%r'], this.env, 10_000);
    if (r.code !== 0) throw new Error(`squeue failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [id, state, reason] = l.trim().split('|');
        return { id: id!, state: state!, reason: reason ?? '' };
      })
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Poll squeue (every 250 ms) until `expected` job entries (array tasks count one each) are all in
   * a final state (or pending on a dependency that can never be satisfied); throws after `timeoutMs`
   * or as soon as a daemon dies.
   */
  async waitJobs(ids: readonly string[], expected: number, timeoutMs: number): Promise<JobState[]> {
    const t0 = Date.now();
    let last: JobState[] = [];
    for (;;) {
      this.assertAlive();
      last = await this.jobs(ids);
      // A job pending on a dependency that can never be met would wait forever: that is final too.
      if (
        last.length >= expected &&
        last.every((j) => TERMINAL.has(j.state) || j.reason === 'DependencyNeverSatisfied')
      )
        return last;
      if (Date.now() - t0 > timeoutMs) {
        throw new Error(
          `jobs ${ids.join(',')} not finished after ${timeoutMs} ms: ` +
            `${last.map((j) => `${j.id} ${j.state} (${j.reason})`).join('; ') || 'none listed'}\n` +
            `slurmctld log:\n${tail(join(this.dir, 'logs', 'slurmctld.log'))}\nslurmd log:\n` +
            `${tail(join(this.dir, 'logs', 'slurmd.log'))}`,
        );
      }
      await sleep(250);
    }
  }

  /** Tail of a daemon log (munged, slurmctld, slurmd). */
  logTail(name: string, lines = 20): string {
    return tail(join(this.dir, 'logs', `${name}.log`), lines);
  }

  /** Last-resort synchronous teardown (exit and signal hooks): SIGKILL everything of this cluster. */
  private killAllSync(): void {
    const pids = [...this.procs.values()]
      .map((c) => c.pid)
      .filter((p): p is number => p !== undefined && !this.exitedPid(p));
    killHard(pids);
    killHard(clusterProcesses(this.dir));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private exitedPid(pid: number): boolean {
    for (const [name, c] of this.procs) if (c.pid === pid) return this.exited.has(name);
    return true;
  }

  private async waitExit(names: string[], timeoutMs: number): Promise<boolean> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (names.every((n) => !this.procs.has(n) || this.exited.has(n))) return true;
      await sleep(100);
    }
    return names.every((n) => !this.procs.has(n) || this.exited.has(n));
  }

  private signal(names: string[], sig: NodeJS.Signals): void {
    for (const n of names) {
      const c = this.procs.get(n);
      if (c?.pid !== undefined && !this.exited.has(n)) {
        try {
          process.kill(c.pid, sig);
        } catch {
          /* gone */
        }
      }
    }
  }

  /**
   * Shut the cluster down (idempotent, bounded: ~30 s at worst): cancel jobs, `scontrol shutdown`,
   * SIGTERM then SIGKILL whatever is left (slurmd ignores SIGTERM without a controller), kill any job
   * process still running, stop munged, remove the directory.
   */
  stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    this.stopping ??= (async () => {
      const t0 = Date.now();
      const slurm = ['slurmctld', 'slurmd'];
      if (this.procs.has('slurmctld') && !this.exited.has('slurmctld')) {
        await run('scancel', ['--user', userInfo().username, '--full'], this.env, 5000);
        await run('scontrol', ['shutdown'], this.env, 5000);
      }
      if (!(await this.waitExit(slurm, 5000))) {
        this.signal(slurm, 'SIGTERM');
        if (!(await this.waitExit(slurm, 2000))) {
          this.signal(slurm, 'SIGKILL');
          await this.waitExit(slurm, 2000);
        }
      }
      this.signal(['munged'], 'SIGTERM');
      if (!(await this.waitExit(['munged'], 3000))) {
        this.signal(['munged'], 'SIGKILL');
        await this.waitExit(['munged'], 2000);
      }
      // Job steps and job processes still running carry SLURM_CONF=<dir>/slurm.conf in their environment.
      const strays = clusterProcesses(this.dir);
      if (strays.length) this.log(`slurm: killing ${strays.length} leftover process(es)`);
      killHard(strays);
      this.removeHooks();
      if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
      this.log(`slurm: cluster stopped in ${Date.now() - t0} ms`);
    })();
    return this.stopping;
  }
}

/**
 * By hand: `node dist/test/slurm/cluster.js` brings a cluster up, prints the SLURM_CONF to export in
 * another shell (to try `codeblock submit slurm` on it), and shuts it down on Ctrl-C / SIGTERM.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  LocalSlurm.start({ log: (m) => process.stderr.write(`${m}\n`) }).then(
    (c) => {
      process.stdout.write(`export SLURM_CONF=${c.conf}\n`);
      process.stderr.write('cluster running; Ctrl-C to shut it down\n');
      setInterval(() => {
        try {
          c.assertAlive();
        } catch (err) {
          process.stderr.write(`${(err as Error).message}\n`);
          void c.stop().then(() => process.exit(1));
        }
      }, 1000);
    },
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
