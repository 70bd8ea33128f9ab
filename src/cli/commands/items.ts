import type { CodeblockConfig } from '../../config/index.js';
import { checkInputs } from '../../io/index.js';
import { itemsJsonl } from '../../pipeline/items.js';
import { Progress } from '../progress.js';
import { formatCounts } from '../report.js';

/** `codeblock items`: one JSON line per analyzed record on stdout; counts and reasons on stderr. */
export async function itemsCommand(inputs: string[], cfg: CodeblockConfig): Promise<number> {
  await checkInputs(inputs);
  const progress = new Progress('items', { enabled: cfg.progress });
  // the structure workers write the JSON lines (pipeline/items.ts itemsJsonl): the main thread routes text
  const { chunks, counts } = itemsJsonl(inputs, cfg, { onRecord: () => progress.tick() });
  const out = process.stdout;
  let buf = '';
  const flush = async (): Promise<void> => {
    if (!buf) return;
    const ok = out.write(buf);
    buf = '';
    if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for await (const text of chunks) {
    buf += text;
    if (buf.length > 1 << 16) await flush();
  }
  await flush();
  progress.done();
  for (const e of counts.fileErrors) process.stderr.write(`codeblock: warning: ${e}\n`);
  const { input, analyzed, rejected, quarantined } = counts;
  process.stderr.write(`items: ${formatCounts({ input, selected: analyzed, rejected, quarantined }, 'analyzed')}\n`);
  return 0;
}
