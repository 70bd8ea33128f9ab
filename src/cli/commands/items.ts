import type { CodeblockConfig } from '../../config/index.js';
import { checkInputs, readRecords } from '../../io/index.js';
import { analyzeStructure, itemsLine } from '../../structure/index.js';
import type { CodeRecord } from '../../types.js';
import { Progress } from '../progress.js';
import { formatCounts } from '../report.js';

/** `codeblock items`: one JSON line per analyzed record on stdout; counts and reasons on stderr. */
export async function itemsCommand(inputs: string[], cfg: CodeblockConfig): Promise<number> {
  await checkInputs(inputs);
  const progress = new Progress('items', { enabled: cfg.progress });
  const rejected: Record<string, number> = {};
  let quarantined = 0;
  let input = 0;
  let analyzed = 0;
  const fileErrors: string[] = [];
  async function* records(): AsyncGenerator<CodeRecord> {
    for await (const ev of readRecords(inputs, { preset: cfg.preset, maxLineBytes: cfg.maxLineBytes })) {
      if (ev.type === 'file_error') fileErrors.push(`${ev.file}: ${ev.error}`);
      else if (ev.type === 'quarantine') {
        input++;
        quarantined++;
      } else {
        input++;
        if (ev.record.response.trim() === '') rejected.empty = (rejected.empty ?? 0) + 1;
        else yield ev.record;
      }
    }
  }
  const out = process.stdout;
  let buf = '';
  const flush = async (): Promise<void> => {
    if (!buf) return;
    const ok = out.write(buf);
    buf = '';
    if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for await (const o of analyzeStructure(records(), {
    workers: cfg.workers,
    granularity: cfg.granularity,
    blockMaxCodePoints: cfg.blockMaxChars,
    parseTimeoutMs: cfg.parseTimeoutMs,
  })) {
    progress.tick();
    if (!o.ok) {
      rejected[o.reason] = (rejected[o.reason] ?? 0) + 1;
      continue;
    }
    analyzed++;
    buf += JSON.stringify(itemsLine(o.id, o.result)) + '\n';
    if (buf.length > 1 << 16) await flush();
  }
  await flush();
  progress.done();
  for (const e of fileErrors) process.stderr.write(`codeblock: warning: ${e}\n`);
  process.stderr.write(`items: ${formatCounts({ input, selected: analyzed, rejected, quarantined }, 'analyzed')}\n`);
  return 0;
}
