/**
 * Bash (tier 2: hand-checked fixtures are the truth). Each fixture's items (kind + trimmed text) and
 * def-use edges (item index -> item index) were checked by hand against the rules in
 * docs/languages/bash.md; the last test prints the shared-data coverage figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { analyzeStructureBatch } from '../../src/index.js';
import { coverageLine, SHARED_DATA_DIR, sharedCoverage } from './lang.helpers.js';

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

test('Bash over the shared data: fenced bash blocks itemized (figure printed)', {
  skip: !existsSync(SHARED_DATA_DIR),
}, () => {
  const c = sharedCoverage([LANG]);
  console.log(coverageLine('bash shared data', c));
  assert.ok(c.records > 0);
  assert.ok(c.share >= 0.95, `share ${c.share}`);
});
