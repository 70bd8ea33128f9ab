import type { CodeblockConfig } from '../../config/index.js';
import { generatePool } from '../../gen/index.js';

/** `codeblock gen`: a realistic OpenCodeInstruct-shaped pool from the Python stdlib sources on this machine. */
export async function genCommand(_args: string[], cfg: CodeblockConfig): Promise<number> {
  const r = await generatePool({ records: cfg.records, seed: cfg.seed, out: cfg.out!, format: cfg.genFormat });
  process.stderr.write(`gen: ${JSON.stringify(r)}\n`);
  return 0;
}
