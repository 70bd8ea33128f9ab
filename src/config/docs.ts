/** docs/config.md is generated from the option table (`npm run docs`); a test keeps it in sync. */
import { OPTIONS, flagName, isSchedulerFlag } from './options.js';

export function configMarkdown(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/options.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Every option is a flag (`--kebab-case`) and a config-file key (camelCase or kebab-case, JSON or',
    'YAML, passed with `-c`). Precedence: defaults ← config file ← flags. Unknown keys and bad values',
    'are reported by name. `--print-config` prints the effective configuration of a command.',
    '',
    '```yaml',
    '# codeblock.yaml',
    'budget: 0.019',
    'mode: codeblock',
    'format: parquet,bin',
    'max-len: 4096',
    '```',
    '',
  ];
  const groups = [...new Set(OPTIONS.map((o) => o.group))];
  for (const g of groups) {
    const rows = OPTIONS.filter((x) => x.group === g);
    lines.push(`## ${g}`, '');
    if (rows.every(isSchedulerFlag)) {
      lines.push(
        'Flags of `codeblock submit slurm` only: not config-file keys. Every other option of `codeblock run`',
        'is forwarded to the pass that uses it (see docs/scaling.md).',
        '',
      );
    }
    lines.push('| flag | key | type | default | commands | meaning |', '|---|---|---|---|---|---|');
    for (const o of rows) {
      const type = o.choices ? o.choices.join(' \\| ') : o.kind;
      let def = o.default === undefined ? '' : Array.isArray(o.default) ? o.default.join(',') : String(o.default);
      if (o.key === 'workers') def = 'cores';
      lines.push(
        `| \`--${flagName(o.key)}\`${o.short ? ` / \`-${o.short}\`` : ''} | \`${o.key}\` | ${type} | ${def} | ` +
          `${o.commands.join(', ')} | ${o.help} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
