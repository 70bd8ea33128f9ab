/**
 * One side of the structure ÷ parse-only comparison, once, in this thread, for an instruction count that does
 * not depend on the machine's load (docs/benchmarks.md, "Structure ÷ parse-only in instructions"):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.structure node dist/bench/structure_callgrind.js structure
 *   valgrind --tool=callgrind --callgrind-out-file=cg.parse node dist/bench/structure_callgrind.js parse
 *   callgrind_annotate --inclusive=yes cg.structure | grep -E 'AnalyzeStructure|ParseOnly|FlatTree|def_use'
 *
 * The records of ../shared/data in batches of 64, as bench/structure_parse.ts hands them to each thread: the
 * addon's `analyzeStructure` (columns, no decoding into objects) or its `parseOnly`. Prints the checksum of the
 * work done, so neither side can be optimized away.
 */
import { resolve } from 'node:path';
import { analyzeColumns, nativeOptions, parseOnlyBatch, parseOnlyTotals } from '../src/structure/native.js';
import { dataResponses } from './util.js';

const side = process.argv[2];
if (side !== 'structure' && side !== 'parse') {
  process.stderr.write('usage: node dist/bench/structure_callgrind.js structure|parse [data dir]\n');
  process.exit(2);
}
const responses = dataResponses(process.argv[3] === undefined ? undefined : resolve(process.argv[3]));

const opts = nativeOptions({});
let checksum = 0;
for (let i = 0; i < responses.length; i += 64) {
  const batch = responses.slice(i, i + 64);
  if (side === 'structure') checksum += analyzeColumns(batch, opts).itemStart.length;
  else checksum += parseOnlyTotals(parseOnlyBatch(batch)).nodes;
}
process.stdout.write(`${side}: ${responses.length} records, checksum ${checksum}\n`);
