/**
 * `items`: the coding items, def-use edges, reach and bridge of every record, without scoring or
 * selection (docs/structure.md). The CLI's `codeblock items` prints these lines as JSON.
 */
import type { CodeblockConfig } from '../config/index.js';
import { checkInputs, readRecords } from '../io/index.js';
import { analyzeStructure, analyzeStructureText, itemsLine, type ItemsLine } from '../structure/index.js';
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

/** The records `items` reads (empty responses counted as rejected, never analyzed) and its counts. */
function itemsInput(
  inputs: readonly string[],
  cfg: ItemsConfig,
): { records: () => AsyncGenerator<CodeRecord>; counts: ItemsCounts; bump: (reason: string) => void } {
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
  return { records, counts, bump };
}

function structureOptionsOf(cfg: ItemsConfig) {
  return {
    workers: cfg.workers,
    granularity: cfg.granularity,
    blockMaxCodePoints: cfg.blockMaxChars,
    workBudget: cfg.workBudget,
    wallTimeoutMs: cfg.wallTimeoutMs,
    languages: resolveLanguages(cfg.languages),
  };
}

/**
 * One {@link ItemsLine} per analyzed record, in input order; `counts` fills in while iterating.
 * Inputs are checked before the first line (a missing file throws E_INPUT).
 */
export function items(
  inputs: readonly string[],
  cfg: ItemsConfig,
  hooks: ItemsHooks = {},
): { lines: AsyncGenerator<ItemsLine>; counts: ItemsCounts } {
  const { records, counts, bump } = itemsInput(inputs, cfg);
  async function* lines(): AsyncGenerator<ItemsLine> {
    await checkInputs(inputs);
    for await (const o of analyzeStructure(records(), structureOptionsOf(cfg))) {
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

/**
 * {@link items} as JSON text: chunks of whole lines, each line `JSON.stringify` of the {@link ItemsLine}
 * `items` yields (the same bytes), written by the structure workers. `codeblock items` prints these.
 */
export function itemsJsonl(
  inputs: readonly string[],
  cfg: ItemsConfig,
  hooks: ItemsHooks = {},
): { chunks: AsyncGenerator<string>; counts: ItemsCounts } {
  const { records, counts, bump } = itemsInput(inputs, cfg);
  async function* chunks(): AsyncGenerator<string> {
    await checkInputs(inputs);
    for await (const batch of analyzeStructureText(records(), structureOptionsOf(cfg))) {
      for (const reason of batch.rejected) {
        hooks.onRecord?.();
        if (reason === null) counts.analyzed++;
        else bump(reason);
      }
      if (batch.text) yield batch.text;
    }
  }
  return { chunks: chunks(), counts };
}
