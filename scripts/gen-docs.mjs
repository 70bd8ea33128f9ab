// Regenerates docs that are derived from code: docs/config.md from the option table, and the samples
// of docs/api.md from the test regions they are cut from (test/api/samples.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configMarkdown } from '../dist/src/config/docs.js';
import { collectRegions, spliceSamples } from '../dist/test/api/samples.js';

writeFileSync(new URL('../docs/config.md', import.meta.url), configMarkdown());
console.log('wrote docs/config.md');

const root = fileURLToPath(new URL('..', import.meta.url));
const api = new URL('../docs/api.md', import.meta.url);
writeFileSync(api, spliceSamples(readFileSync(api, 'utf8'), collectRegions(root)));
console.log('wrote docs/api.md');
