import { CodeblockError } from '../../errors.js';
import type { CodeblockConfig } from '../../config/index.js';

export async function inspectCommand(_dirs: string[], _cfg: CodeblockConfig): Promise<number> {
  throw new CodeblockError('`codeblock inspect` is not available in this version yet (tracked as the inspect issue)', 'E_UNAVAILABLE');
}
