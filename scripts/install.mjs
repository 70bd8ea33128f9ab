// The package's `install` script: use the prebuilt addon (prebuilds/) when it loads here, otherwise compile
// from source into build/ (src/native.ts prefers build/Release over the prebuilt). CODEBLOCK_BUILD_FROM_SOURCE=1
// forces the compile; a checkout (this package is the project being installed) always compiles.
// See docs/install.md.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PREBUILT, ROOT, compile, fail, glibcVersion, loadError } from './addon-build.mjs';

const force = process.env.CODEBLOCK_BUILD_FROM_SOURCE ?? '';
if (!['', '0', '1'].includes(force)) fail(`CODEBLOCK_BUILD_FROM_SOURCE must be 1 or 0, got ${JSON.stringify(force)}`);

const rel = (p) => p.slice(ROOT.length + 1);
const checkout = process.env.npm_config_local_prefix && resolve(process.env.npm_config_local_prefix) === ROOT;
let why;
if (force === '1') why = 'CODEBLOCK_BUILD_FROM_SOURCE=1';
else if (checkout) why = 'installing the checkout itself';
else if (process.platform !== 'linux' || process.arch !== 'x64' || !glibcVersion()) {
  const libc = process.platform === 'linux' ? ' without glibc' : '';
  why = `no prebuilt addon for ${process.platform}-${process.arch}${libc}`;
} else if (!existsSync(PREBUILT)) why = `${rel(PREBUILT)} is not in this package`;
else {
  const err = loadError(PREBUILT);
  if (!err) {
    process.stderr.write(`codeblock: using the prebuilt addon ${rel(PREBUILT)}\n`);
    process.exit(0);
  }
  why = `the prebuilt addon does not load here (${err})`;
}
process.stderr.write(`codeblock: compiling the addon from source (${why})\n`);
compile('build');
process.stderr.write('codeblock: built build/Release/codeblock.node\n');
