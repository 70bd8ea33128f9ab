/**
 * The README's library sample is executed, so the documentation cannot rot: the ```ts block that
 * imports from 'codeblock-sft' runs (as the package's own self-reference) against a real output dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PACKAGE_ROOT } from '../../src/native.js';
import { cli, EXAMPLES } from '../helpers/cli.js';

test("README's loader sample runs against `codeblock run` output", () => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => b.includes("from 'codeblock-sft'"));
  assert.equal(blocks.length, 1, 'one library sample in the README');
  const out = mkdtempSync(join(tmpdir(), 'cb-readme-'));
  const r = cli(['run', join(EXAMPLES, 'pool.jsonl'), '-o', out, '--format', 'parquet,bin']);
  assert.equal(r.status, 0, r.stderr);
  // count what the loop sees: the sample's body is a comment, so add a counter after it
  const body = blocks[0]!
    .replace("loadPacks('out'", `loadPacks(${JSON.stringify(out)}`)
    .replace(/\n\}\n?$/, '\n  globalThis.__seen = (globalThis.__seen ?? 0) + batch.input_ids.length;\n}\n');
  const script = join(PACKAGE_ROOT, 'dist', `readme-sample-${process.pid}.mjs`);
  writeFileSync(script, `${body}\nconsole.log(JSON.stringify({ tokens: globalThis.__seen ?? 0 }));\n`);
  try {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { packing: { tokens: number } };
    assert.equal(JSON.parse(run.stdout.trim()).tokens, m.packing.tokens);
  } finally {
    rmSync(script, { force: true });
  }
});
