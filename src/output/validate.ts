/** Boundary checks for writer input: a bad Pack or sample row is a bug upstream — fail loudly, never write it. */
import type { Pack } from '../types.js';
import type { SampleRow } from './types.js';
import { cpLength } from '../tokenize/codepoints.js';

export function validatePack(pack: Pack, maxLen?: number): void {
  if (!pack || typeof pack !== 'object') throw new TypeError('pack must be an object');
  for (const k of ['inputIds', 'labels', 'positionIds', 'seqLens'] as const) {
    if (!(pack[k] instanceof Int32Array)) throw new TypeError(`pack.${k} must be an Int32Array`);
  }
  const n = pack.inputIds.length;
  if (n === 0) throw new RangeError('pack is empty');
  if (pack.labels.length !== n || pack.positionIds.length !== n) {
    throw new RangeError(
      `pack arrays differ in length: input_ids ${n}, labels ${pack.labels.length}, position_ids ` +
        `${pack.positionIds.length}`,
    );
  }
  if (maxLen !== undefined && n > maxLen) throw new RangeError(`pack of ${n} tokens exceeds max_len ${maxLen}`);
  if (!Array.isArray(pack.sampleIds) || pack.sampleIds.length !== pack.seqLens.length) {
    throw new RangeError(
      `pack has ${pack.seqLens.length} seq_lens but ` +
        `${Array.isArray(pack.sampleIds) ? pack.sampleIds.length : 'no'} sample ids`,
    );
  }
  for (const id of pack.sampleIds) if (typeof id !== 'string') throw new TypeError('pack.sampleIds must be strings');
  let total = 0;
  for (let s = 0; s < pack.seqLens.length; s++) {
    const len = pack.seqLens[s]!;
    if (len <= 0) throw new RangeError(`pack seq_lens[${s}] = ${len} is not positive`);
    for (let k = 0; k < len; k++) {
      if (pack.positionIds[total + k] !== k)
        throw new RangeError(`pack position_ids do not restart at sample ${s} (token ${total + k})`);
    }
    total += len;
  }
  if (total !== n) throw new RangeError(`pack seq_lens sum to ${total}, not its length ${n}`);
  let sup = 0;
  for (let i = 0; i < n; i++) {
    const l = pack.labels[i]!;
    if (l !== -100) {
      if (l !== pack.inputIds[i])
        throw new RangeError(`pack label ${i} is ${l}: neither -100 nor its input id ${pack.inputIds[i]}`);
      sup++;
    }
  }
  if (!Number.isInteger(pack.numSupervised) || pack.numSupervised !== sup) {
    throw new RangeError(`pack numSupervised ${pack.numSupervised} but ${sup} labels are not -100`);
  }
}

export function validateSampleRow(row: SampleRow): void {
  if (!row || typeof row !== 'object') throw new TypeError('sample row must be an object');
  if (typeof row.id !== 'string') throw new TypeError('sample row id must be a string');
  if (typeof row.text !== 'string') throw new TypeError('sample row text must be a string');
  if (
    !(row.inputIds instanceof Int32Array) ||
    !(row.labels instanceof Int32Array) ||
    !(row.offsets instanceof Int32Array)
  ) {
    throw new TypeError('sample row inputIds, labels and offsets must be Int32Arrays');
  }
  const n = row.inputIds.length;
  if (row.labels.length !== n || row.offsets.length !== 2 * n) {
    throw new RangeError(
      `sample ${row.id}: ${n} ids, ${row.labels.length} labels, ${row.offsets.length / 2} offset pairs`,
    );
  }
  const textLen = cpLength(row.text);
  for (let i = 0; i < n; i++) {
    const a = row.offsets[2 * i]!;
    const b = row.offsets[2 * i + 1]!;
    if (a < 0 || b < a || b > textLen)
      throw new RangeError(
        `sample ${row.id}: token ${i} offsets [${a}, ${b}) outside its text (${textLen} code points)`,
      );
    const l = row.labels[i]!;
    if (l !== -100 && l !== row.inputIds[i])
      throw new RangeError(`sample ${row.id}: label ${i} is ${l}: neither -100 nor its input id ${row.inputIds[i]}`);
  }
  if (!Array.isArray(row.selected)) throw new TypeError('sample row selected must be an array');
  for (const s of row.selected) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end < s.start || s.end > textLen)
      throw new RangeError(`sample ${row.id}: bad selected span [${s.start}, ${s.end})`);
    if (s.kind !== 'item' && s.kind !== 'nl' && s.kind !== 'eos')
      throw new RangeError(`sample ${row.id}: selected kind must be 'item', 'nl' or 'eos'`);
    if (typeof s.score !== 'number' || !Number.isFinite(s.score))
      throw new RangeError(`sample ${row.id}: selected score must be a finite number`);
  }
}
