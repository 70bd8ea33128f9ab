import { join } from 'node:path';
import type { CodeblockConfig } from '../../config/index.js';
import { analyzeCommand } from './analyze.js';
import { selectCommand } from './select.js';

/** `run` = analyze into <out>/analysis, then select into <out>. */
export async function runCommand(inputs: string[], cfg: CodeblockConfig): Promise<number> {
  const analysisDir = join(cfg.out!, 'analysis');
  const code = await analyzeCommand(inputs, { ...cfg, out: analysisDir, shard: '0/1' });
  if (code !== 0) return code;
  return selectCommand([analysisDir], cfg);
}
