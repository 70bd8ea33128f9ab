import type { CodeblockConfig } from '../../config/index.js';
import { select, type SelectSummary } from '../../pipeline/select.js';
import { Progress } from '../progress.js';
import { formatCounts } from '../report.js';
import { timedAsync } from '../../util/timings.js';

/** The one summary line of a select pass, on stderr. */
export function reportSelect(s: SelectSummary): void {
  process.stderr.write(
    `select: ${formatCounts(s.counts, 'selected')}; supervised ${s.tokens.supervised}/${s.tokens.response} ` +
      'response tokens ' +
      `(${(s.tokens.ratio * 100).toFixed(2)}%, nl ${s.tokens.supervised_nl}); ${s.packs} packs, efficiency ` +
      `${(s.efficiency * 100).toFixed(2)}% → ${s.outDir}\n`,
  );
  for (const w of s.warnings) process.stderr.write(`select: warning: ${w}\n`);
}

export async function selectCommand(dirs: string[], cfg: CodeblockConfig): Promise<number> {
  const progress = new Progress('select', { enabled: cfg.progress });
  reportSelect(await timedAsync('select', () => select(dirs, cfg, { progress })));
  return 0;
}
