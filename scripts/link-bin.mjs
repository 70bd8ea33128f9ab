// `npx codeblock` inside this checkout: npm links the bins of dependencies, not of the root
// package itself, so `prepare` (which runs only for the root project) links ours.
import { mkdirSync, symlinkSync, rmSync, chmodSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'codeblock');
rmSync(link, { force: true });
symlinkSync(join('..', '..', 'bin', 'codeblock'), link);
chmodSync(join(root, 'bin', 'codeblock'), 0o755);
