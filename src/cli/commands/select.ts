import { CodeblockError } from '../../errors.js';
import type { CodeblockConfig } from '../../config/index.js';

export async function selectCommand(_args: string[], _cfg: CodeblockConfig): Promise<number> {
  throw new CodeblockError('`codeblock select` is not wired yet', 'E_UNAVAILABLE');
}
