/**
 * tools/ablate/test_stats.py: the harness's statistics (Holm's correction, the paired t-test) against
 * hand-computed values and t tables, and its statement-kind classifier (kinds.py) against hand-labelled lines.
 * Needs only /usr/bin/python3 (no torch); skipped with the reason when it is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PACKAGE_ROOT } from '../../src/native.js';

const PYTHON = '/usr/bin/python3';
const skip = existsSync(PYTHON) ? false : `no ${PYTHON}`;
if (skip) console.log(`# skipped tools/ablate/test_stats.py: ${skip}`);

test('tools/ablate/test_stats.py: Holm, paired t and statement kinds match hand-computed truth', { skip }, () => {
  const r = spawnSync(PYTHON, [join(PACKAGE_ROOT, 'tools', 'ablate', 'test_stats.py')], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `test_stats.py exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok: Holm/m);
});
