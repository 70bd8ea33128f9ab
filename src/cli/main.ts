/**
 * `codeblock` command line. Exit codes: 0 success, 1 failure while running, 2 usage error, 70 internal error
 * (per error code: docs/troubleshooting.md).
 * A user error prints one line (`codeblock: …`) and never a stack trace; set CODEBLOCK_DEBUG=1 for stacks.
 */
import { CodeblockError, INTERNAL_EXIT_CODE, isCodeblockError } from '../errors.js';
import { version } from '../version.js';
import { flagName, OPTIONS, optionsFor, type Command } from '../config/options.js';
import { resolveConfig, type CodeblockConfig } from '../config/index.js';
import { parseArgs } from './args.js';
import { installInterruptHandler } from '../util/interrupt.js';

interface CommandDef {
  summary: string;
  usage: string;
  /** Minimum positional arguments. */
  minArgs: number;
  maxArgs?: number;
  needsOut?: boolean;
  run: (positionals: string[], cfg: CodeblockConfig) => Promise<number>;
}

const COMMANDS: Record<Command, CommandDef> = {
  run: {
    summary: 'analyze + select in one go: records in, training-ready packs out',
    usage: 'codeblock run <input…> -o <out-dir> [options]',
    minArgs: 1,
    needsOut: true,
    run: async (p, cfg) => (await import('./commands/run.js')).runCommand(p, cfg),
  },
  analyze: {
    summary: 'pass 1 (map, shardable): read, filter, segment, itemize, score, data flow → analysis files',
    usage: 'codeblock analyze <input…> -o <analysis-dir> [--shard i/n] [options]',
    minArgs: 1,
    needsOut: true,
    run: async (p, cfg) => (await import('./commands/analyze.js')).analyzeCommand(p, cfg),
  },
  select: {
    summary: 'pass 2 (reduce): global budget over all analysis files → masks, packs, writers',
    usage: 'codeblock select <analysis-dir…> -o <out-dir> [--budget 0.019] [--mode codeblock] [options]',
    minArgs: 1,
    needsOut: true,
    run: async (p, cfg) => (await import('./commands/select.js')).selectCommand(p, cfg),
  },
  items: {
    summary: 'print the coding items, def-use edges, reach and bridge of each record as JSON lines',
    usage: 'codeblock items <input…> [--preset P] [--workers N]',
    minArgs: 1,
    run: async (p, cfg) => (await import('./commands/items.js')).itemsCommand(p, cfg),
  },
  inspect: {
    summary: 'show what is supervised: terminal view or a self-contained HTML report',
    usage: 'codeblock inspect <out-dir…> [--id ID | --sample N | --best | --worst] [--html report.html]',
    minArgs: 1,
    run: async (p, cfg) => (await import('./commands/inspect.js')).inspectCommand(p, cfg),
  },
  bench: {
    summary: 'benchmarks against peers and limits (writes bench/results.json and docs/benchmarks.md)',
    usage: 'codeblock bench [--records N] [--workers N]',
    minArgs: 0,
    maxArgs: 0,
    run: async (p, cfg) => (await import('./commands/bench.js')).benchCommand(p, cfg),
  },
  gen: {
    summary: 'generate a realistic OpenCodeInstruct-shaped pool (seeded) for tests and benchmarks',
    usage: 'codeblock gen -o <file> [--records N] [--seed S] [--gen-format jsonl|jsonl.gz|parquet]',
    minArgs: 0,
    maxArgs: 0,
    needsOut: true,
    run: async (p, cfg) => (await import('./commands/gen.js')).genCommand(p, cfg),
  },
};

function mainHelp(): string {
  const names = Object.keys(COMMANDS) as Command[];
  const w = Math.max(...names.map((n) => n.length));
  return [
    `codeblock ${version()} — structure-aware sparse supervision for code SFT data`,
    '',
    'Usage: codeblock <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n].summary}`),
    `  ${'submit'.padEnd(w)}  submit analyze (job array, one shard per task) + a dependent select to Slurm`,
    '',
    'Run `codeblock <command> --help` for its options. Docs: README.md and docs/.',
    '  -h, --help     show help',
    '  -V, --version  print the version',
    '',
  ].join('\n');
}

function commandHelp(cmd: Command): string {
  const def = COMMANDS[cmd];
  const lines = [`codeblock ${cmd} — ${def.summary}`, '', `Usage: ${def.usage}`, ''];
  const specs = optionsFor(cmd);
  const groups = [...new Set(specs.map((s) => s.group))];
  for (const g of groups) {
    lines.push(`${g}:`);
    for (const s of specs.filter((x) => x.group === g)) {
      const flag =
        `${s.short ? `-${s.short}, ` : '    '}--${flagName(s.key)}` +
        `${s.kind === 'boolean' ? '' : s.choices ? ` <${s.choices.join('|')}>` : ` <${s.kind}>`}`;
      const def =
        s.default !== undefined && s.kind !== 'boolean'
          ? ` [default: ${Array.isArray(s.default) ? s.default.join(',') : s.default}]`
          : '';
      lines.push(`  ${flag}`);
      lines.push(`        ${s.help}${def}`);
    }
    lines.push('');
  }
  lines.push('  -h, --help  show this help', '');
  return lines.join('\n');
}

/** Entry point: returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      if (first === 'help' && rest[0] === 'submit') {
        process.stdout.write((await import('./commands/submit.js')).submitHelp());
        return 0;
      }
      if (first === 'help' && rest[0] && rest[0] in COMMANDS) {
        process.stdout.write(commandHelp(rest[0] as Command));
        return 0;
      }
      process.stdout.write(mainHelp());
      return first === undefined ? 2 : 0;
    }
    if (first === '-V' || first === '--version' || first === 'version') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    if (first === 'submit') {
      // Raw argv: its own scheduler flags plus the analyze/select options it forwards (src/cli/commands/submit.ts).
      return await (await import('./commands/submit.js')).submitCommand(rest);
    }
    if (!(first in COMMANDS)) {
      const known = Object.keys(COMMANDS);
      const hint = known.find((k) => k.startsWith(first.slice(0, 2)));
      throw new CodeblockError(
        `unknown command "${first}"${hint ? ` (did you mean "${hint}"?)` : ''}; run \`codeblock --help\``,
      );
    }
    const cmd = first as Command;
    const def = COMMANDS[cmd];
    const parsed = parseArgs(cmd, rest);
    if (parsed.help) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    const { config: configFile, printConfig, ...flags } = parsed.flags;
    const cfg = resolveConfig(cmd, flags, configFile);
    if (printConfig) {
      process.stdout.write(`${JSON.stringify(effectiveConfig(cmd, cfg), null, 2)}\n`);
      return 0;
    }
    if (parsed.positionals.length < def.minArgs)
      throw new CodeblockError(
        `\`codeblock ${cmd}\` needs ${def.minArgs === 1 ? 'an input' : `${def.minArgs} inputs`}; usage: ${def.usage}`,
      );
    if (def.maxArgs !== undefined && parsed.positionals.length > def.maxArgs)
      throw new CodeblockError(
        `\`codeblock ${cmd}\` takes no positional arguments (got "${parsed.positionals[0]}"); usage: ${def.usage}`,
      );
    if (def.needsOut && !cfg.out) throw new CodeblockError(`\`codeblock ${cmd}\` needs -o <out>; usage: ${def.usage}`);
    // SIGINT: one line, this process's temporary files removed, exit 130 (src/util/interrupt.ts)
    if (cmd === 'run' || cmd === 'analyze' || cmd === 'select') installInterruptHandler([cfg.out!]);
    return await def.run(parsed.positionals, cfg);
  } catch (err) {
    return reportError(err);
  }
}

/** The config keys a command uses, resolved — what `--print-config` shows. */
export function effectiveConfig(cmd: Command, cfg: CodeblockConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rec = cfg as unknown as Record<string, unknown>;
  for (const o of OPTIONS)
    if (o.commands.includes(cmd) && o.key !== 'config' && o.key !== 'printConfig' && rec[o.key] !== undefined)
      out[o.key] = rec[o.key];
  return out;
}

export function reportError(err: unknown): number {
  if (process.env.CODEBLOCK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (isCodeblockError(err)) {
    process.stderr.write(`codeblock: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && e.message) {
    // File-system and similar environment errors: one line, no stack.
    process.stderr.write(`codeblock: ${e.message}\n`);
    return 1;
  }
  process.stderr.write(
    `codeblock: internal error (please report): ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  return INTERNAL_EXIT_CODE;
}
