/**
 * Bash (tier 2: hand-checked fixtures are the truth). Each fixture's items (kind + trimmed text) and
 * def-use edges (item index -> item index) were checked by hand against the rules in
 * docs/languages/bash.md; the last test prints the shared-data coverage figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { analyzeStructureBatch } from '../../src/index.js';
import { SHARED_DATA } from '../helpers/cli.js';

const SNIPPET = 'echo 1';
const LANG = 'bash';

function analyze(text: string) {
  const out = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0]!;
  if (!out.ok) assert.fail(JSON.stringify(out));
  return out.result;
}

// Items as 'kind text' (text trimmed) and edges as sorted 'def->use' item indices.
function shape(lang: string, code: string) {
  const text = `\`\`\`${lang}\n${code}\`\`\`\n`;
  const r = analyze(text);
  const cps = [...text];
  assert.deepEqual(
    r.segments.map((s) => s.lang),
    [LANG],
  );
  for (const it of r.items) assert.deepEqual(it.flags, [], 'no flagged item');
  return {
    items: r.items.map((it) => `${it.kind} ${cps.slice(it.start, it.end).join('').trim()}`),
    edges: [...new Set(r.edges.map(([a, b]) => `${a}->${b}`))].sort().join(' '),
  };
}

// items: commands, assignments, f() { and one-line function headers, local/export, if ...; then / elif ...; then /
// else, for ...; do, while ...; do with a redirect after done, case ... in with pat) items, pipelines and lists.
// Scoping: first assignment declares (count=$((count + 1)) in greet uses the global), local binds in the function, $x
// / ${x} / $(...) contents are uses, a command naming a function uses it, function bodies see later top-level names
// (LOGFILE exported after log is defined), $1 and read targets are not declarations.
test('Bash fixture b1.sh: exact items and exact def-use edges', () => {
  const code = [
    '#!/bin/bash',
    'set -e',
    'name="world"',
    'count=0',
    'greet() {',
    '  local msg="hello $name"',
    '  echo "$msg $1"',
    '  count=$((count + 1))',
    '}',
    'log() { echo "[$(date)] $*" >> "$LOGFILE"; }',
    'export LOGFILE=/tmp/run.log',
    'if [ -z "$name" ]; then',
    '  echo "empty"',
    'elif [[ $count -gt 1 ]]; then',
    '  greet "$name"',
    'else',
    '  log "count: ${count}"',
    'fi',
    'for f in *.txt; do',
    '  wc -l "$f"',
    'done',
    'while read -r line; do',
    '  echo "$line" | grep -q foo && greet "$line"',
    'done < input.txt',
    'case "$1" in',
    '  start|run)',
    '    greet now',
    '    ;;',
    '  *)',
    '    echo "usage" ;;',
    'esac',
    'files=$(ls | wc -l)',
    'echo "$files ${name}"',
  ].join('\n');
  const got = shape(LANG, `${code}\n`);
  assert.deepEqual(got.items, [
    'simple set -e',
    'simple name="world"',
    'simple count=0',
    'header greet() {',
    'simple local msg="hello $name"',
    'simple echo "$msg $1"',
    'simple count=$((count + 1))',
    'header log() {',
    'simple echo "[$(date)] $*" >> "$LOGFILE"',
    'simple export LOGFILE=/tmp/run.log',
    'header if [ -z "$name" ]; then',
    'simple echo "empty"',
    'clause elif [[ $count -gt 1 ]]; then',
    'simple greet "$name"',
    'clause else',
    'simple log "count: ${count}"',
    'header for f in *.txt; do',
    'simple wc -l "$f"',
    'header while read -r line; do',
    'simple echo "$line" | grep -q foo && greet "$line"',
    'header case "$1" in',
    'clause start|run)',
    'simple greet now',
    'clause *)',
    'simple echo "usage"',
    'simple files=$(ls | wc -l)',
    'simple echo "$files ${name}"',
  ]);
  assert.equal(got.edges, '1->10 1->13 1->26 1->4 16->17 2->12 2->15 2->6 25->26 3->13 3->19 3->22 4->5 7->15 9->8');
});

test('Bash fence aliases', () => {
  for (const tag of ['bash', 'sh', 'shell', 'zsh', 'ksh', 'shell-script', 'shellscript']) {
    const r = analyze(`\`\`\`${tag}\n${SNIPPET}\n\`\`\`\n`);
    assert.equal(r.segments[0]!.lang, LANG, tag);
  }
  for (const tag of ['console', 'terminal', 'shell-session', 'powershell']) {
    const out = analyzeStructureBatch([`\`\`\`${tag}\n${SNIPPET}\n\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    assert.ok(!out.ok || out.result.segments[0]!.lang !== LANG, tag);
  }
});

test('Bash untagged detection: strong signals only', () => {
  const cases: Array<[string, string]> = [
    ['#!/bin/bash\necho hi\n', 'bash'],
    ['npm install express\n', 'bash'],
    ['for f in *.txt; do\n  echo $f\ndone\n', 'bash'],
    ['echo hello\n', 'bash'],
    ['Install the package first\n', 'none'],
    ['git status\n', 'none'],
    ['x = 1\nprint(x)\n', 'python'],
    ['const x = 1;\nconsole.log(x);\n', 'javascript'],
  ];
  for (const [code, want] of cases) {
    const out = analyzeStructureBatch([`Code:\n\n\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
    const got = out.ok ? out.result.segments[0]!.lang : 'none';
    assert.equal(got, want, code);
  }
});

const DATA = SHARED_DATA;
const ALIASES = new Set(['bash', 'sh', 'shell', 'zsh', 'ksh', 'shell-script', 'shellscript']);
test('Bash over the shared data: fenced bash blocks itemized (figure printed)', { skip: !existsSync(DATA) }, () => {
  let records = 0;
  let withItems = 0;
  let items = 0;
  let flagged = 0;
  let fenced = 0;
  let covered = 0;
  for (const f of readdirSync(DATA).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(`${DATA}/${f}`, 'utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line) as { response?: string; output?: string };
      const text = rec.response ?? rec.output;
      if (typeof text !== 'string') continue;
      const tags = [...text.matchAll(/```([A-Za-z0-9+#-]*)\n/g)].map((m) => m[1]!.toLowerCase());
      if (!tags.some((t) => ALIASES.has(t))) continue;
      records++;
      const r = analyze(text);
      let any = false;
      r.segments.forEach((s, si) => {
        if (s.lang !== LANG) return;
        const its = r.items.filter((it) => it.segment === si);
        fenced += s.end - s.start;
        if (its.length > 0) {
          covered += s.end - s.start;
          any = true;
        }
        items += its.length;
        flagged += its.filter((it) => it.flags.length > 0).length;
      });
      if (any) withItems++;
    }
  }
  const share = fenced ? covered / fenced : 1;
  console.log(
    `bash shared data: ${records} records, ${withItems} with items, ${items} items, ${flagged} flagged, ` +
      `${(100 * share).toFixed(1)}% of fenced chars in itemized segments`,
  );
  assert.ok(records > 0);
  assert.ok(share >= 0.95, `share ${share}`);
});
