import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildManifest,
  validateManifest,
  writeManifest,
  manifestToJson,
  type ManifestInput,
} from '../../src/output/index.js';
import { CodeblockError } from '../../src/errors.js';

const sha = (c: string) => c.repeat(64);

function input(): ManifestInput {
  return {
    version: '0.1.0',
    config: { mode: 'codeblock', budget: 0.019, tokenizer: { spec: 'qwen2.5', b: 1, a: [3, { z: 1, y: 2 }] } },
    counts: { input: 100, selected: 80, rejected: { no_code: 5, duplicate: 7, empty: 3 }, quarantined: 5 },
    tokens: { response: 10_000, supervised: 190, supervised_code: 170, supervised_nl: 20 },
    packing: { packs: 4, max_len: 2048, tokens: 8000 },
    files: [
      { path: 'packs.parquet', sha256: sha('b'), bytes: 10 },
      { path: 'packs.cbpk', sha256: sha('a'), bytes: 20 },
    ],
    extra: { selection: { threshold: 0.5, items: 12 } },
  };
}

test('manifest: schema, derived ratios, stable key order, sorted reasons and files', () => {
  const m = buildManifest(input());
  assert.deepEqual(Object.keys(m), [
    'manifest_version',
    'version',
    'config',
    'counts',
    'tokens',
    'packing',
    'files',
    'selection',
  ]);
  assert.deepEqual(Object.keys(m.counts.rejected), ['duplicate', 'empty', 'no_code']);
  assert.deepEqual(
    m.files.map((f) => f.path),
    ['packs.cbpk', 'packs.parquet'],
  );
  assert.equal(m.tokens.ratio, 0.019);
  assert.equal(m.packing.efficiency, 8000 / (4 * 2048));
  assert.deepEqual(Object.keys(m.config.tokenizer as object), ['a', 'b', 'spec']);
  assert.deepEqual((m.config.tokenizer as { a: unknown[] }).a, [3, { y: 2, z: 1 }]);
  // same content given in another key order → the same bytes
  const shuffled = input();
  shuffled.config = { tokenizer: { a: [3, { y: 2, z: 1 }], spec: 'qwen2.5', b: 1 }, budget: 0.019, mode: 'codeblock' };
  shuffled.counts.rejected = { empty: 3, no_code: 5, duplicate: 7 };
  shuffled.files = [...shuffled.files].reverse();
  assert.equal(manifestToJson(buildManifest(shuffled)), manifestToJson(m));
  // round trip through validateManifest
  assert.equal(manifestToJson(validateManifest(JSON.parse(manifestToJson(m)))), manifestToJson(m));
});

test('manifest: counts that do not add up are a bug and throw', () => {
  const bad = input();
  bad.counts.selected = 81;
  assert.throws(
    () => buildManifest(bad),
    (e: unknown) => e instanceof CodeblockError && e.code === 'E_ACCOUNTING' && /counts.input 100/.test(e.message),
  );
  const bad2 = input();
  bad2.tokens.supervised_nl = 21;
  assert.throws(() => buildManifest(bad2), /supervised_code/);
  const bad3 = input();
  bad3.counts.rejected.empty = -1;
  assert.throws(() => buildManifest(bad3), CodeblockError);
  const bad4 = input();
  bad4.packing.tokens = 4 * 2048 + 1;
  assert.throws(() => buildManifest(bad4), /exceed/);
  const bad5 = input();
  bad5.files = [{ path: 'x', sha256: 'nothex' }];
  assert.throws(() => buildManifest(bad5), /bad file entry/);
  const bad6 = input();
  bad6.config = { when: new Date(0) as unknown as string };
  assert.throws(() => buildManifest(bad6), CodeblockError);
  const bad7 = input();
  bad7.config = { x: Number.NaN };
  assert.throws(() => buildManifest(bad7), /finite/);
  const parsed = JSON.parse(manifestToJson(buildManifest(input())));
  parsed.counts.quarantined = 6;
  assert.throws(() => validateManifest(parsed), /counts.input/);
});

test('manifest: zero input, zero packs', () => {
  const m = buildManifest({
    version: '0.1.0',
    config: {},
    counts: { input: 0, selected: 0, rejected: {}, quarantined: 0 },
    tokens: { response: 0, supervised: 0, supervised_code: 0, supervised_nl: 0 },
    packing: { packs: 0, max_len: 2048, tokens: 0 },
    files: [],
  });
  assert.equal(m.tokens.ratio, 0);
  assert.equal(m.packing.efficiency, 0);
});

test('writeManifest: atomic, deterministic bytes, no timestamps', () => {
  const a = mkdtempSync(join(tmpdir(), 'cb-man-'));
  try {
    const { file } = writeManifest(a, input());
    const first = readFileSync(join(a, 'manifest.json'), 'utf8');
    const again = writeManifest(a, input());
    assert.equal(readFileSync(join(a, 'manifest.json'), 'utf8'), first);
    assert.equal(file.sha256, again.file.sha256);
    assert.deepEqual(readdirSync(a), ['manifest.json']);
    assert.ok(first.endsWith('\n'));
    assert.doesNotMatch(first, /20\d\d-\d\d-\d\dT/);
  } finally {
    rmSync(a, { recursive: true, force: true });
  }
});
