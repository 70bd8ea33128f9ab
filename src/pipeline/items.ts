/**
 * `items`: the coding items, def-use edges, reach and bridge of every record, without scoring or
 * selection (docs/structure.md). The CLI's `codeblock items` prints these lines as JSON.
 */
import type { CodeblockConfig } from '../config/index.js';
import { checkInputs, readRecords } from '../io/index.js';
import { analyzeStructure, itemsLine, type ItemsLine } from '../structure/index.js';
import { resolveLanguages } from '../structure/languages.js';
import type { CodeRecord } from '../types.js';

/** What `items` read and kept; complete once its lines are exhausted. */
export interface ItemsCounts {
  input: number;
  analyzed: number;
  rejected: Record<string, number>;
  quarantined: number;
  /** `<file>: <error>` for each input that could not be read to the end. */
  fileErrors: string[];
}

export interface ItemsHooks {
  /** Called once per record leaving the structure stage (analyzed or rejected). */
  onRecord?: () => void;
}

/** The keys of a resolved config that `items` reads. */
export type ItemsConfig = Pick<
  CodeblockConfig,
  'preset' | 'maxLineBytes' | 'workers' | 'granularity' | 'blockMaxChars' | 'workBudget' | 'wallTimeoutMs'
> &
  Partial<Pick<CodeblockConfig, 'languages' | 'fields'>>;

/**
 * One {@link ItemsLine} per analyzed record, in input order; `counts` fills in while iterating.
 * Inputs are checked before the first line (a missing file throws E_INPUT).
 */
export function items(
  inputs: readonly string[],
  cfg: ItemsConfig,
  hooks: ItemsHooks = {},
): { lines: AsyncGenerator<ItemsLine>; counts: ItemsCounts } {
  const counts: ItemsCounts = { input: 0, analyzed: 0, rejected: {}, quarantined: 0, fileErrors: [] };
  const bump = (reason: string): void => {
    counts.rejected[reason] = (counts.rejected[reason] ?? 0) + 1;
  };
  async function* records(): AsyncGenerator<CodeRecord> {
    for await (const ev of readRecords(inputs, {
      preset: cfg.preset,
      fields: cfg.fields,
      maxLineBytes: cfg.maxLineBytes,
    })) {
      if (ev.type === 'file_error') counts.fileErrors.push(`${ev.file}: ${ev.error}`);
      else if (ev.type === 'quarantine') {
        counts.input++;
        counts.quarantined++;
      } else {
        counts.input++;
        if (ev.record.response.trim() === '') bump('empty');
        else yield ev.record;
      }
    }
  }
  async function* lines(): AsyncGenerator<ItemsLine> {
    await checkInputs(inputs);
    for await (const o of analyzeStructure(records(), {
      workers: cfg.workers,
      granularity: cfg.granularity,
      blockMaxCodePoints: cfg.blockMaxChars,
      workBudget: cfg.workBudget,
      wallTimeoutMs: cfg.wallTimeoutMs,
      languages: resolveLanguages(cfg.languages),
    })) {
      hooks.onRecord?.();
      if (!o.ok) {
        bump(o.reason);
        continue;
      }
      counts.analyzed++;
      yield itemsLine(o.id, o.result);
    }
  }
  return { lines: lines(), counts };
}
