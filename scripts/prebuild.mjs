// `prepack`: build the prebuilt addon shipped in the package, prebuilds/linux-x64/codeblock.napi.glibc.node,
// with libstdc++ linked in (CMake option CODEBLOCK_PORTABLE), so that it needs only glibc ≥ 2.18 and libgcc_s.
// Runs on linux-x64 with glibc only. See docs/install.md.
import { copyFileSync, mkdirSync } from 'node:fs';
import { PREBUILT, PREBUILT_DIR, compile, fail, glibcVersion } from './addon-build.mjs';

if (process.platform !== 'linux' || process.arch !== 'x64' || !glibcVersion()) {
  fail(`the prebuilt addon is built on linux-x64 with glibc; this is ${process.platform}-${process.arch}`);
}
const built = compile('build-prebuild', ['--CDCODEBLOCK_PORTABLE=ON']);
mkdirSync(PREBUILT_DIR, { recursive: true });
copyFileSync(built, PREBUILT);
process.stderr.write(`codeblock: prebuilt addon written to prebuilds/linux-x64/codeblock.napi.glibc.node\n`);
