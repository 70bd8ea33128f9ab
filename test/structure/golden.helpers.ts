import {
  analyzeStructureBatch,
  sliceCodePoints,
  type StructureOptions,
  type StructureResult,
} from '../../src/structure/index.js';

export function analyze(text: string, opts: StructureOptions = {}): StructureResult {
  const [o] = analyzeStructureBatch([text], opts);
  if (!o?.ok) throw new Error(`rejected: ${o && !o.ok ? o.reason : 'none'}`);
  return o.result;
}

/** Item texts (trimmed), in order. */
export function itemTexts(text: string, r: StructureResult): string[] {
  return r.items.map((i) => sliceCodePoints(text, i.start, i.end).trim());
}

/** Edges as "def item text -> use item text" (trimmed). */
export function edgeTexts(text: string, r: StructureResult): Set<string> {
  const t = itemTexts(text, r);
  return new Set(r.edges.map(([a, b]) => `${t[a]} -> ${t[b]}`));
}
