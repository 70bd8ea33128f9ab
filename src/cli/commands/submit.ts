/**
 * `codeblock submit slurm --shards N <input…> -o <out> [scheduler options] [analyze/select options]`
 *
 * Writes <out>/slurm/{analyze,select}.sbatch (from deploy/slurm/) and submits the analyze pass as a
 * job array of N shards plus one select job with `--dependency=afterok:<array>`; prints the job ids.
 * Every codeblock option `run` accepts is forwarded to the pass that uses it, so the output equals
 * `codeblock run` with the same options. Its flags all come from the option table (src/config/options.ts):
 * the scheduler rows (`commands: ['submit']`) and run's options. It takes raw argv, keeping forwarded
 * tokens as typed, so main.ts dispatches to it before the generic flag parser.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CodeblockError } from '../../errors.js';
import {
  findOption,
  flagName,
  keyOfFlag,
  optionsFor,
  suggest,
  type OptionSpec,
  type SubmitFlags,
} from '../../config/options.js';
import { refuseScorerOptions, resolveConfig } from '../../config/index.js';
import { refuseWithoutScores } from '../../budget/rules.js';
import { parseArgs } from '../args.js';
import { planSlurm, slurmCommandLines, submitSlurm, writeSlurmScripts, type SlurmJobSpec } from '../../deploy/slurm.js';

/**
 * Scheduler flags of `submit slurm`: the option-table rows with `commands: ['submit']`, by flag name.
 * Every other flag is a codeblock option, forwarded to the pass that uses it.
 */
const OWN: ReadonlyMap<string, OptionSpec> = new Map(optionsFor('submit').map((o) => [flagName(o.key), o]));

const USAGE = 'codeblock submit slurm --shards N <input…> -o <out-dir> [scheduler options] [analyze/select options]';

export function submitHelp(): string {
  const lines = [
    'codeblock submit slurm — analyze as a Slurm job array (one shard per task) + one dependent select',
    '',
    `Usage: ${USAGE}`,
    '',
    'Writes <out>/slurm/analyze.sbatch and select.sbatch (from deploy/slurm/), submits the array and a',
    'select job with --dependency=afterok:<array> --kill-on-invalid-dep=yes, and prints',
    '`analyze_job=<id>` and `select_job=<id>`. Inputs, <out> and the analysis directory must be on a',
    'filesystem every node sees; the jobs run in the current directory. The output is byte-identical to',
    '`codeblock run` with the same options. A failed shard cancels the select; resubmit just that shard',
    'with the same command plus --array <i> (resume keeps the other shards).',
    '',
    'Scheduler options:',
  ];
  for (const [name, f] of OWN) {
    lines.push(`      --${name}${f.arg ? ` <${f.arg}>` : ''}`);
    lines.push(`        ${f.help}`);
  }
  lines.push(
    '',
    'codeblock options: every option of `codeblock run` (see `codeblock run --help`): -o/--out, -c/--config,',
    'and the analyze options (filters, structure, scoring) and select options (budget, mode, output),',
    'each forwarded to the pass that uses it.',
    '',
    '  -h, --help  show this help',
    '',
  );
  return lines.join('\n');
}

interface Parsed {
  own: SubmitFlags;
  inputs: string[];
  out?: string;
  analyze: string[];
  select: string[];
  help: boolean;
}

function coerceOwn(name: string, f: OptionSpec, raw: string): string | number {
  if (f.kind === 'integer') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n))
      throw new CodeblockError(`--${name} expects an integer, got "${raw}"`);
    if (f.min !== undefined && n < f.min) throw new CodeblockError(`--${name} must be >= ${f.min}, got ${raw}`);
    return n;
  }
  if (raw === '') throw new CodeblockError(`--${name} needs a non-empty value`);
  return raw;
}

function takesValue(spec: OptionSpec): boolean {
  return spec.kind !== 'boolean';
}

/** Split raw argv into scheduler flags, inputs, and the analyze / select option lists. */
export function parseSubmitArgs(argv: readonly string[]): Parsed {
  const p: Parsed = { own: {}, inputs: [], analyze: [], select: [], help: false };
  const runKeys = new Set(optionsFor('run').map((o) => o.key));
  const next = (i: number, shown: string): string => {
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new CodeblockError(`${shown} needs a value`);
    return v;
  };
  const forward = (spec: OptionSpec, tokens: string[]) => {
    if (spec.commands.includes('analyze')) p.analyze.push(...tokens);
    if (spec.commands.includes('select')) p.select.push(...tokens);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      p.inputs.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      p.help = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      const own = OWN.get(name);
      if (own) {
        const flags = p.own as Record<string, unknown>;
        if (own.kind === 'boolean') {
          if (inline !== undefined) throw new CodeblockError(`--${name} takes no value`);
          flags[own.key] = true;
          continue;
        }
        // A list value (an sbatch argument) usually starts with "--": take the next token as it is.
        const raw = inline ?? (own.kind === 'list' ? argv[i + 1] : next(i, `--${name}`));
        if (raw === undefined) throw new CodeblockError(`--${name} needs a value`);
        if (inline === undefined) i++;
        if (own.kind === 'list') {
          const list = (flags[own.key] as string[] | undefined) ?? [];
          list.push(raw);
          flags[own.key] = list;
        } else flags[own.key] = coerceOwn(name, own, raw);
        continue;
      }
      const negated = name.startsWith('no-') ? findOption(keyOfFlag(name.slice(3))) : undefined;
      const spec = findOption(keyOfFlag(name)) ?? (negated?.kind === 'boolean' ? negated : undefined);
      if (!spec || !runKeys.has(spec.key) || spec.key === 'printConfig') {
        if (name === 'shard')
          throw new CodeblockError(
            '--shard is set per array task by `codeblock submit slurm`; use --shards N (and --array to pick shards)',
          );
        const known = [...OWN.keys(), ...optionsFor('run').map((o) => flagName(o.key))];
        const hint = suggest(name, known);
        throw new CodeblockError(
          `unknown option --${name} for \`codeblock submit slurm\`${hint ? ` (did you mean --${hint}?)` : ''}; ` +
            `see \`codeblock submit slurm --help\``,
        );
      }
      if (spec.key === 'out') {
        p.out = inline ?? next(i, '--out');
        if (inline === undefined) i++;
        continue;
      }
      if (spec === negated || !takesValue(spec)) {
        forward(spec, [arg]);
        continue;
      }
      if (inline !== undefined) forward(spec, [arg]);
      else {
        forward(spec, [arg, next(i, `--${name}`)]);
        i++;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg.slice(1, 2);
      const spec = optionsFor('run').find((o) => o.short === letter);
      if (!spec)
        throw new CodeblockError(
          `unknown option ${arg} for \`codeblock submit slurm\`; see \`codeblock submit slurm --help\``,
        );
      const value = arg.length > 2 ? arg.slice(2) : next(i, `-${letter}`);
      if (arg.length <= 2) i++;
      if (spec.key === 'out') p.out = value;
      else forward(spec, [`--${flagName(spec.key)}`, value]);
      continue;
    }
    p.inputs.push(arg);
  }
  return p;
}

/** Check the forwarded options the way the jobs will parse them, so mistakes surface before queueing. */
function validateForwarded(p: Parsed): { out?: string } {
  const a = parseArgs('analyze', p.analyze);
  const { config: aConfig, printConfig: _a, ...aFlags } = a.flags;
  const analyzeCfg = resolveConfig('analyze', aFlags, aConfig);
  refuseScorerOptions(analyzeCfg);
  const s = parseArgs('select', p.select);
  const { config: sConfig, printConfig: _s, ...sFlags } = s.flags;
  const selectCfg = resolveConfig('select', sFlags, sConfig);
  refuseWithoutScores(selectCfg, { scorer: analyzeCfg.scorer, ifd: analyzeCfg.ifd }, 'run');
  if (a.positionals.length || s.positionals.length)
    throw new CodeblockError('internal: stray positionals in forwarded options', 'E_INTERNAL');
  return { out: analyzeCfg.out };
}

function checkAnalysisDir(dir: string, shards: number): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  const counts = new Set<number>();
  for (const d of readdirSync(dir)) {
    const m = /^shard-\d+-of-(\d+)$/.exec(d);
    if (m) counts.add(Number(m[1]));
  }
  const other = [...counts].filter((c) => c !== shards);
  if (other.length) {
    throw new CodeblockError(
      `${dir} already holds analysis shards of ${other.join(', ')} (not ${shards}); select cannot mix shard ` +
        `counts: use --shards ${other[0]} or another -o / --analysis-dir`,
    );
  }
}

export async function submitCommand(argv: string[]): Promise<number> {
  const [target, ...rest] = argv;
  if (target === undefined || target === '-h' || target === '--help') {
    process.stdout.write(submitHelp());
    return target === undefined ? 2 : 0;
  }
  if (target === 'k8s' || target === 'kubernetes') {
    throw new CodeblockError(
      '`codeblock submit` drives Slurm only; for Kubernetes apply the Indexed Job manifests in deploy/k8s/ (see ' +
        'docs/scaling.md)',
    );
  }
  if (target !== 'slurm') throw new CodeblockError(`unknown scheduler "${target}" (supported: slurm); usage: ${USAGE}`);
  const p = parseSubmitArgs(rest);
  if (p.help) {
    process.stdout.write(submitHelp());
    return 0;
  }
  const { own } = p;
  const shards = own.shards;
  if (shards === undefined) throw new CodeblockError(`\`codeblock submit slurm\` needs --shards N; usage: ${USAGE}`);
  if (!p.inputs.length) throw new CodeblockError(`\`codeblock submit slurm\` needs an input; usage: ${USAGE}`);
  const { out: outFromConfig } = validateForwarded(p);
  const out = p.out ?? outFromConfig;
  if (!out) throw new CodeblockError(`\`codeblock submit slurm\` needs -o <out-dir>; usage: ${USAGE}`);
  for (const f of p.inputs) if (!existsSync(f)) throw new CodeblockError(`input not found: ${f}`, 'E_INPUT');

  const spec: SlurmJobSpec = {
    shards,
    inputs: p.inputs,
    out,
    analysisDir: own.analysisDir,
    array: own.array,
    maxParallel: own.maxParallel,
    analyzeOptions: p.analyze,
    selectOptions: p.select,
    analyze: {
      partition: own.partition,
      account: own.account,
      qos: own.qos,
      time: own.time,
      mem: own.mem,
      cpus: own.cpusPerShard,
      gpus: own.gpusPerShard,
    },
    select: {
      partition: own.selectPartition ?? own.partition,
      account: own.account,
      qos: own.qos,
      time: own.selectTime,
      mem: own.selectMem,
      cpus: own.selectCpus,
    },
    jobName: own.jobName,
    sbatchArgs: own.sbatchArg,
  };
  const plan = planSlurm(spec);
  checkAnalysisDir(resolve(plan.cwd, plan.analysisDir), shards);
  const sbatch = own.sbatch;
  if (own.dryRun) {
    writeSlurmScripts(plan);
    const [a, s] = slurmCommandLines(plan, sbatch ?? 'sbatch', 'ANALYZE_JOB_ID');
    process.stdout.write(`analyze_job=$(${a})\n${s.replace('afterok:ANALYZE_JOB_ID', 'afterok:"$analyze_job"')}\n`);
    process.stderr.write(`submit: dry run: scripts written to ${plan.scriptsDir}; nothing submitted\n`);
    return 0;
  }
  const r = await submitSlurm(plan, { sbatch });
  process.stdout.write(`analyze_job=${r.analyzeJob}\nselect_job=${r.selectJob}\n`);
  process.stderr.write(
    `submit: analyze array ${r.analyzeJob} (shards ${plan.array} of ${shards}) → ${plan.analysisDir}; ` +
      `select ${r.selectJob} (afterok:${r.analyzeJob}) → ${out}\n` +
      `submit: logs in ${join(plan.logsDir, '')}; watch with: squeue -j ${r.analyzeJob},${r.selectJob}\n`,
  );
  return 0;
}
