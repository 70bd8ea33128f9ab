import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { configMarkdown } from '../../src/config/docs.js';

test('docs/config.md matches the option table (run `npm run docs` after changing an option)', () => {
  assert.equal(readFileSync(join(PACKAGE_ROOT, 'docs', 'config.md'), 'utf8'), configMarkdown());
});
