// Regenerates docs that are derived from code: docs/config.md from the option table, the samples of
// docs/api.md from the test regions they are cut from (test/api/samples.ts), and the language table of
// docs/languages.md from the registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configMarkdown } from '../dist/src/config/docs.js';
import { collectRegions, spliceSamples } from '../dist/test/api/samples.js';
import { spliceLanguageTable } from '../dist/src/structure/docs.js';

writeFileSync(new URL('../docs/config.md', import.meta.url), configMarkdown());
console.log('wrote docs/config.md');

const root = fileURLToPath(new URL('..', import.meta.url));
const api = new URL('../docs/api.md', import.meta.url);
writeFileSync(api, spliceSamples(readFileSync(api, 'utf8'), collectRegions(root)));
console.log('wrote docs/api.md');

const langs = new URL('../docs/languages.md', import.meta.url);
writeFileSync(langs, spliceLanguageTable(readFileSync(langs, 'utf8')));
console.log('wrote docs/languages.md (language table)');
