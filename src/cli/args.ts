/**
 * Flag parsing generated from the option table (src/config/options.ts).
 * Supports `--flag value`, `--flag=value`, `-o value`, `--no-flag` for booleans, and `--` to end flags.
 */
import { CodeblockError } from '../errors.js';
import { flagName, optionsFor, suggest, type Command, type OptionSpec } from '../config/options.js';
import type { CodeblockConfig } from '../config/index.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Partial<CodeblockConfig> & { config?: string; printConfig?: boolean };
  help: boolean;
}

function coerce(spec: OptionSpec, raw: string, shown: string): unknown {
  switch (spec.kind) {
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new CodeblockError(`${shown}: "${raw}" is not one of ${spec.choices.join(', ')}`);
      }
      return raw;
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new CodeblockError(`${shown} expects a number, got "${raw}"`);
      if (spec.kind === 'integer' && !Number.isInteger(n))
        throw new CodeblockError(`${shown} expects an integer, got "${raw}"`);
      if (spec.min !== undefined && n < spec.min)
        throw new CodeblockError(`${shown} must be >= ${spec.min}, got ${raw}`);
      if (spec.max !== undefined && n > spec.max)
        throw new CodeblockError(`${shown} must be <= ${spec.max}, got ${raw}`);
      return n;
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw new CodeblockError(`${shown} expects true or false, got "${raw}"`);
    case 'list': {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0) throw new CodeblockError(`${shown} expects a comma-separated list`);
      for (const it of items) {
        if (spec.choices && !spec.choices.includes(it))
          throw new CodeblockError(`${shown}: "${it}" is not one of ${spec.choices.join(', ')}`);
      }
      return items;
    }
  }
}

export function parseArgs(command: Command, argv: string[]): ParsedArgs {
  const specs = optionsFor(command);
  const byFlag = new Map(specs.map((s) => [flagName(s.key), s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const out: ParsedArgs = { positionals: [], flags: {}, help: false };
  const flags = out.flags as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    let spec: OptionSpec | undefined;
    let value: string | undefined;
    let shown = arg;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      shown = `--${name}`;
      if (eq >= 0) value = arg.slice(eq + 1);
      spec = byFlag.get(name);
      if (!spec && name.startsWith('no-')) {
        const neg = byFlag.get(name.slice(3));
        if (neg && neg.kind === 'boolean' && value === undefined) {
          flags[neg.key] = false;
          continue;
        }
      }
      if (!spec) {
        const hint = suggest(name, [...byFlag.keys()]);
        throw new CodeblockError(
          `unknown option ${shown} for \`codeblock ${command}\`${hint ? ` (did you mean --${hint}?)` : ''}; see ` +
            `\`codeblock ${command} --help\``,
        );
      }
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      spec = byShort.get(arg.slice(1, 2));
      if (arg.length > 2) value = arg.slice(2);
      if (!spec)
        throw new CodeblockError(
          `unknown option ${arg} for \`codeblock ${command}\`; see \`codeblock ${command} --help\``,
        );
      shown = `-${spec.short} (--${flagName(spec.key)})`;
    } else {
      out.positionals.push(arg);
      continue;
    }
    if (spec.kind === 'boolean' && value === undefined) {
      flags[spec.key] = true;
      continue;
    }
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new CodeblockError(`${shown} needs a value`);
      value = next;
      i++;
    }
    flags[spec.key] = coerce(spec, value, shown);
  }
  return out;
}
