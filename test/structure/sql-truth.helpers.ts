/**
 * SQL against SQLite's own parser (tools/truth/sql-truth.py, Python's stdlib sqlite3; not tree-sitter): the corpus
 * of the shared data (fences tagged with a SQL alias, and fence-less responses that SQLite parses whole as SQL) and
 * the comparison of our items with SQLite's statements.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { analyzeStructureBatch, type StructureResult } from '../../src/structure/index.js';
import { runTruth, SHARED_DATA_DIR, taggedFences, type TruthSegment } from './lang.helpers.js';
import { loadSamples, PYTHON } from './truth.js';

export const SQL_TRUTH = [PYTHON, join(PACKAGE_ROOT, 'tools', 'truth', 'sql-truth.py')];

export function sqlTruthAvailable(): boolean {
  return existsSync(PYTHON) && existsSync(SHARED_DATA_DIR);
}

/** SQLite's verdict on one statement (tools/truth/sql-truth.py). */
export type SqlStatus = 'valid' | 'parsed' | 'syntax';
export interface SqlTruthSegment extends TruthSegment {
  status: SqlStatus[];
  errors: Array<string | null>;
}

export interface SqlRec {
  key: string;
  /** 'fence': a block tagged sql/mysql/...; 'bare': a whole fence-less response. */
  from: 'fence' | 'bare';
  text: string;
}

/** Every SQL-tagged fence of the shared data, and the fence-less responses given to SQLite whole. */
export function sqlCandidates(): SqlRec[] {
  const out: SqlRec[] = taggedFences(['sql']).map((f) => ({ key: f.key, from: 'fence', text: f.text }));
  for (const s of loadSamples())
    if (!s.response.includes('```') && !s.response.includes('~~~'))
      out.push({ key: s.key, from: 'bare', text: s.response });
  return out;
}

export function sqlTruth(recs: SqlRec[]): SqlTruthSegment[] {
  return runTruth(
    SQL_TRUTH,
    recs.map((r) => ({ key: r.key, lang: 'sql', text: r.text })),
  ) as SqlTruthSegment[];
}

/** A bare response is SQL by the truth when SQLite parses every statement of it (and there is one). */
export function bareIsSql(t: SqlTruthSegment): boolean {
  return t.status.length > 0 && t.status.every((s) => s !== 'syntax');
}

export interface SqlFigures {
  records: number;
  /** Statements by SQLite's boundaries; those SQLite parses (valid + parsed) are compared. */
  statements: number;
  valid: number;
  parsed: number;
  /** Statements SQLite's parser rejects (another dialect): not compared, counted. */
  skippedSyntax: number;
  /** Statements SQLite accepts that share an item with a statement it rejects: not compared, counted. */
  skippedDialect: number;
  /** Compared statements whose items agree (recall). */
  matched: number;
  /** Our items inside compared statements or in no statement; those lying in a matched statement (precision). */
  items: number;
  itemsMatched: number;
  /** Our items inside a skipped statement: not counted. */
  itemsSkipped: number;
  /** Records our analysis rejected (counted as misses for their statements). */
  rejected: number;
  misses: string[];
}

const GAP = /^[\s();]*$/u;

/**
 * Statement agreement. A compared statement [s, e) matches when our items overlapping it all lie inside it, the
 * first starts at s, consecutive items meet at a parenthesis (the first ends with `(`, the next starts with `)`, or
 * the text between them holds one: a split at a subquery or CTE) with no `;` between them, and the text after the
 * last one is only `)`, `;` and blanks (the closing `);` of a split statement). An item is right when it lies in a
 * matched statement.
 */
export function compareSql(recs: SqlRec[], truth: SqlTruthSegment[]): SqlFigures {
  const f: SqlFigures = {
    records: recs.length,
    statements: 0,
    valid: 0,
    parsed: 0,
    skippedSyntax: 0,
    skippedDialect: 0,
    matched: 0,
    items: 0,
    itemsMatched: 0,
    itemsSkipped: 0,
    rejected: 0,
    misses: [],
  };
  const head = '```sql\n';
  const ours = analyzeStructureBatch(
    recs.map((r) => `${head}${r.text}\n\`\`\`\n`),
    { parseTimeoutMs: 0 },
  );
  const off = Array.from(head).length;
  recs.forEach((rec, ri) => {
    const t = truth[ri]!;
    const spans = t.simple ?? [];
    const cps = Array.from(rec.text);
    const o = ours[ri]!;
    const res: StructureResult | undefined = o.ok ? o.result : undefined;
    if (!res) f.rejected++;
    // items trimmed of the blanks the whole-line rule adds around them
    const items = (res?.items ?? []).map((it) => {
      let b = it.start - off;
      let e = Math.min(it.end - off, cps.length);
      while (b < e && /\s/u.test(cps[b]!)) b++;
      while (e > b && /\s/u.test(cps[e - 1]!)) e--;
      return [b, e] as [number, number];
    });
    const state = new Array<number>(items.length).fill(0); // 0: in no statement, 1: skipped, 2: right
    const overlapping = (s: number, e: number) =>
      items.map((x, i) => [x, i] as const).filter(([[b, en]]) => b < e && en > s);
    // items overlapping a statement SQLite rejects (first pass: a statement after it may share the item)
    for (const [k, [s, e]] of spans.entries())
      if (t.status[k] === 'syntax') for (const [, i] of overlapping(s, e)) state[i] = 1;
    spans.forEach(([s, e], k) => {
      const st = t.status[k]!;
      f.statements++;
      const inside = overlapping(s, e);
      if (st === 'syntax') {
        f.skippedSyntax++;
        return;
      }
      if (inside.some(([, i]) => state[i] === 1)) {
        // the tail of another dialect's block that SQLite splits (T-SQL `IF ... BEGIN ... END;` leaves `END;`,
        // SQLite's COMMIT): our item runs over the rejected statement too
        f.skippedDialect++;
        return;
      }
      if (st === 'valid') f.valid++;
      else f.parsed++;
      let ok = inside.length > 0 && inside.every(([[b, en]]) => b >= s && en <= e) && inside[0]![0][0] === s;
      for (let j = 1; ok && j < inside.length; j++) {
        const [pe, nb] = [inside[j - 1]![0][1], inside[j]![0][0]];
        const gap = cps.slice(pe, nb).join('');
        const atParen = /[()]/u.test(gap) || cps[pe - 1] === '(' || cps[nb] === ')';
        if (!atParen || gap.includes(';')) ok = false;
      }
      if (ok) ok = GAP.test(cps.slice(Math.max(...inside.map(([[, en]]) => en)), e).join(''));
      if (ok) {
        f.matched++;
        for (const [, i] of inside) state[i] = 2;
      } else if (f.misses.length < 40) {
        f.misses.push(`${rec.key} |${cps.slice(s, e).join('').slice(0, 160)}|`);
      }
    });
    for (const x of state) {
      if (x === 1) f.itemsSkipped++;
      else {
        f.items++;
        if (x === 2) f.itemsMatched++;
      }
    }
  });
  return f;
}

export function sqlFigureLine(name: string, f: SqlFigures): string {
  const compared = f.valid + f.parsed;
  const pct = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(2) : '100.00'}%`;
  return (
    `${name}: ${f.records} records, ${f.statements} statements by SQLite's boundaries (${f.valid} EXPLAIN-valid, ` +
    `${f.parsed} parsed with a name error; skipped: ${f.skippedSyntax} SQLite syntax errors, ${f.skippedDialect} ` +
    `in another dialect's block), ${f.rejected} records rejected; ` +
    `recall ${f.matched}/${compared} = ${pct(f.matched, compared)}, item precision ${f.itemsMatched}/${f.items} = ` +
    `${pct(f.itemsMatched, f.items)} (${f.itemsSkipped} items in skipped statements)`
  );
}
