import { CodeblockError } from '../../errors.js';
import type { CodeblockConfig } from '../../config/index.js';

export async function benchCommand(_args: string[], _cfg: CodeblockConfig): Promise<number> {
  throw new CodeblockError('`codeblock bench` is not available in this version yet; run `npm run bench` from a checkout', 'E_UNAVAILABLE');
}
