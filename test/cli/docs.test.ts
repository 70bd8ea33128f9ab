import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/native.js';
import { configMarkdown } from '../../src/config/docs.js';
import { spliceLanguageTable } from '../../src/structure/docs.js';
import { registeredLanguages } from '../../src/structure/languages.js';

test('docs/config.md matches the option table (run `npm run docs` after changing an option)', () => {
  assert.equal(readFileSync(join(PACKAGE_ROOT, 'docs', 'config.md'), 'utf8'), configMarkdown());
});

test('docs/languages.md lists the registered languages and their fence aliases (run `npm run docs`)', () => {
  const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'languages.md'), 'utf8');
  assert.equal(doc, spliceLanguageTable(doc));
  for (const l of registeredLanguages().filter((x) => !x.testOnly))
    assert.ok(existsSync(join(PACKAGE_ROOT, 'docs', 'languages', `${l.name}.md`)), `docs/languages/${l.name}.md`);
});
