/**
 * Def-use edges vs beniget (issue 3 item 9): for every use (a Name load) that beniget links to at
 * least one definition in the response, the use agrees when every such definition's item has an
 * edge to the use's item: recall at least 99.9%. Precision (our edges that beniget supports) at least
 * 99%. Records without truth (structure rejects them, no Python segment, beniget/CPython cannot
 * process them) are counted and printed by reason.
 *
 * Known remaining misses on ../shared/data (2 of 21,336 uses), both beniget over-approximations:
 * - evol-instruct-code-r1.jsonl:1557 — `if y > 0: for …: result += x / else: for …: result -= x`:
 *   beniget lets the `if` branch's `result += x` reach `result -= x` in the `else` branch.
 * - evol-instruct-code-r1.jsonl:1681 — the same pattern with `decoder_hidden` in two loops under
 *   `if use_teacher_forcing: … else: …`.
 * Our extra edges (precision < 100%) come mostly from `nonlocal`/`global` definitions, which we
 * union into the enclosing scope's reaching set, where beniget keeps only the last one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StructureItem } from '../../src/structure/index.js';
import { NoTruth, analyzeSamples, loadSamples, pc, printFindings, pythonAvailable, pythonTruth } from './truth.js';

interface Chains {
  key: string;
  ok: boolean;
  error?: string;
  chains?: Array<[number, number, string]>;
}

function itemAt(items: StructureItem[], cp: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const it = items[mid]!;
    if (cp < it.start) hi = mid - 1;
    else if (cp >= it.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

test('def-use edges agree with beniget chains (recall >= 99.9%, precision >= 99%)', {
  skip: !pythonAvailable('beniget') && 'no beniget for /usr/bin/python3',
}, () => {
  const all = analyzeSamples(loadSamples());
  const noTruth = new NoTruth();
  const { analyzed, truth } = pythonTruth<Chains>('beniget_chains.py', all, noTruth);
  assert.equal(truth.length, analyzed.length);
  let uses = 0;
  let agreed = 0;
  let ourEdges = 0;
  let supported = 0;
  let unmapped = 0;
  let skipped = 0;
  const misses: string[] = [];
  const extras: string[] = [];
  analyzed.forEach((a, r) => {
    const t = truth[r]!;
    if (!t.ok || !a.outcome.ok) {
      skipped++;
      const e = t.error ?? '?';
      noTruth.bump(e.startsWith('beniget') ? `beniget fails (${e.split(' ')[1]})` : `CPython cannot parse it (${e})`);
      return;
    }
    const res = a.outcome.result;
    let cps: string[] | undefined;
    const show = (i: number): string => {
      cps ??= Array.from(a.sample.response);
      return JSON.stringify(cps.slice(res.items[i]!.start, res.items[i]!.end).join('').trim().slice(0, 60));
    };
    const edges = new Set(res.edges.map(([f, to]) => `${f}>${to}`));
    const byUse = new Map<number, { item: number; defs: Set<number>; name: string }>();
    const truthEdges = new Set<string>();
    for (const [dcp, ucp, name] of t.chains!) {
      const di = itemAt(res.items, dcp);
      const ui = itemAt(res.items, ucp);
      if (di < 0 || ui < 0) {
        unmapped++;
        continue;
      }
      let u = byUse.get(ucp);
      if (!u) byUse.set(ucp, (u = { item: ui, defs: new Set(), name }));
      if (di !== ui) {
        u.defs.add(di);
        truthEdges.add(`${di}>${ui}`);
      }
    }
    for (const [ucp, u] of byUse) {
      if (u.defs.size === 0) continue; // defined in its own item (e.g. `x += 1`, a parameter used in a default)
      uses++;
      const missing = [...u.defs].filter((d) => !edges.has(`${d}>${u.item}`));
      if (missing.length === 0) agreed++;
      else if (misses.length < 30) {
        misses.push(
          `${a.sample.key} use of ${u.name}@${ucp} in ${show(u.item)} lacks def ${missing.map(show).join(', ')}`,
        );
      }
    }
    for (const e of edges) {
      ourEdges++;
      if (truthEdges.has(e)) supported++;
      else if (extras.length < 40 && process.env.CODEBLOCK_SHOW_EXTRAS) {
        const [f, to] = e.split('>').map(Number) as [number, number];
        extras.push(`${a.sample.key} ${show(f)} -> ${show(to)}`);
      }
    }
  });
  const rate = agreed / uses;
  const precision = supported / ourEdges;
  console.log(
    `# beniget recall: ${agreed}/${uses} uses = ${pc(rate)}; precision ${supported}/${ourEdges} edges = ` +
      `${pc(precision)}; ` +
      `${unmapped} chain ends outside items`,
  );
  const without = all.length - analyzed.length + skipped;
  console.log(`# without truth: ${without} of ${all.length} records (${skipped} analyzed ones) — ${noTruth}`);
  printFindings(misses, extras);
  assert.ok(uses > 5000, `too few uses checked: ${uses}`);
  assert.ok(ourEdges > 5000, `too few edges checked: ${ourEdges}`);
  assert.ok(rate >= 0.999, `recall ${(100 * rate).toFixed(3)}% < 99.9%`);
  assert.ok(precision >= 0.99, `edge precision ${(100 * precision).toFixed(3)}% < 99%`);
});
