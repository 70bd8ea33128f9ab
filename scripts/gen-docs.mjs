// Regenerates docs that are derived from code (docs/config.md from the option table).
import { writeFileSync } from 'node:fs';
import { configMarkdown } from '../dist/src/config/docs.js';

writeFileSync(new URL('../docs/config.md', import.meta.url), configMarkdown());
console.log('wrote docs/config.md');
