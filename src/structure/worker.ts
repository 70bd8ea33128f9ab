/** Piscina worker: one native structure call per task. The addon is loaded once per thread. */
import { analyzeColumns, type NativeStructureOptions, type StructureColumns } from './native.js';

export interface StructureTask {
  responses: string[];
  opts: NativeStructureOptions;
}

export default function run(task: StructureTask): StructureColumns {
  return analyzeColumns(task.responses, task.opts);
}
