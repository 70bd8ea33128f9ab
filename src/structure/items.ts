import type { ItemsLine, StructureResult } from './types.js';

/** The `codeblock items` JSON object for one record, keys in schema order (issue 3 item 8). */
export function itemsLine(id: string, r: StructureResult): ItemsLine {
  return {
    id,
    segments: r.segments.map((s) => ({ start: s.start, end: s.end, lang: s.lang })),
    items: r.items.map((i) => ({
      start: i.start,
      end: i.end,
      kind: i.kind,
      type: i.type,
      segment: i.segment,
      flags: i.flags,
      core: i.core,
    })),
    edges: r.edges,
    reach: r.reach,
    bridge: r.bridge,
  };
}
