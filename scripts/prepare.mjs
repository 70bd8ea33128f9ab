// `prepare` (runs on `npm install`/`npm ci` in the checkout, and before `npm pack`/`npm publish`): compile the
// TypeScript (src, test, bench → dist/; the inspect page script, tsconfig.page.json) and link the `codeblock` bin
// into node_modules/.bin. Under pack and publish `prepack` has just built dist/src for the package
// (tsconfig.build.json, tsconfig.page.json), so this does nothing there.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './addon-build.mjs';

if (process.env.npm_command === 'pack' || process.env.npm_command === 'publish') process.exit(0);
const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
// tsconfig.page.json: the inspect report's in-page script (a browser script, DOM lib) → dist/src/inspect/page/
for (const project of ['tsconfig.json', 'tsconfig.page.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, project)], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('./link-bin.mjs');
