import { CodeblockError } from '../../errors.js';
import type { CodeblockConfig } from '../../config/index.js';

export async function itemsCommand(_args: string[], _cfg: CodeblockConfig): Promise<number> {
  throw new CodeblockError('`codeblock items` is not wired yet', 'E_UNAVAILABLE');
}
