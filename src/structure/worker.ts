/**
 * Piscina worker: one native structure call per task. The addon is loaded once per thread. A task with
 * `ids` also writes the `codeblock items` JSON lines of its records here, off the main thread.
 */
import { itemsLine } from './items.js';
import { analyzeColumns, decodeRecord, type NativeStructureOptions, type StructureColumns } from './native.js';

export interface StructureTask {
  responses: string[];
  opts: NativeStructureOptions;
  /** Record ids: return {@link ItemsText} instead of the columns. */
  ids?: string[];
}

/** A batch as `codeblock items` prints it. */
export interface ItemsText {
  /** Per record: 0 analyzed (its line is in `text`), else the rejection code of `StructureColumns.status`. */
  status: Int32Array;
  /** `JSON.stringify(itemsLine(id, result))` + `\n` of each analyzed record, in order. */
  text: string;
}

/** The items lines of one batch's columns. */
export function itemsText(c: StructureColumns, ids: readonly string[]): ItemsText {
  let text = '';
  for (let r = 0; r < c.count; r++) {
    const o = decodeRecord(c, r);
    if (o.ok) text += `${JSON.stringify(itemsLine(ids[r]!, o.result))}\n`;
  }
  return { status: Int32Array.from(c.status), text };
}

export default function run(task: StructureTask): StructureColumns | ItemsText {
  const c = analyzeColumns(task.responses, task.opts);
  return task.ids ? itemsText(c, task.ids) : c;
}
