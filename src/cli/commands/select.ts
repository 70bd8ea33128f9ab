import type { CodeblockConfig } from '../../config/index.js';
import { select } from '../../pipeline/select.js';
import { Progress } from '../progress.js';
import { formatCounts } from '../report.js';

export async function selectCommand(dirs: string[], cfg: CodeblockConfig): Promise<number> {
  const progress = new Progress('select', { enabled: cfg.progress });
  const s = await select(dirs, cfg, { progress });
  process.stderr.write(
    `select: ${formatCounts(s.counts, 'selected')}; supervised ${s.tokens.supervised}/${s.tokens.response} response tokens ` +
      `(${(s.tokens.ratio * 100).toFixed(2)}%, nl ${s.tokens.supervised_nl}); ${s.packs} packs, efficiency ${(s.efficiency * 100).toFixed(2)}% → ${s.outDir}\n`,
  );
  return 0;
}
