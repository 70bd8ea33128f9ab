/**
 * The one module that loads the C++ addon. Everything native goes through `native()`.
 * The addon is built by `npm ci` (cmake-js) or comes prebuilt in the package (prebuilds/, docs/install.md);
 * `CODEBLOCK_ADDON` may point at another build.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeblockError } from './errors.js';

/** Repository / package root (dist/src/native.js → ../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

import type { NativeAddon } from './addon.js';

// The addon's functions and column types: src/addon.ts.
export type { NativeAddon } from './addon.js';

let cached: NativeAddon | undefined;

export function addonPath(): string {
  const override = process.env.CODEBLOCK_ADDON;
  if (override) return resolve(override);
  // A local build wins over the prebuilt addon shipped in the package (scripts/install.mjs, docs/install.md).
  const candidates = [
    join(PACKAGE_ROOT, 'build', 'Release', 'codeblock.node'),
    join(PACKAGE_ROOT, 'build', 'Debug', 'codeblock.node'),
    join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'codeblock.napi.glibc.node'),
  ];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

/** Load the addon once per thread (each worker thread gets its own instance). */
export function native(): NativeAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new CodeblockError(
      `native addon not built (${path} missing): run \`npm rebuild codeblock-sft\` (in a checkout: \`npm run ` +
        `build:native\`); see docs/install.md`,
      'E_NATIVE',
    );
  }
  const require = createRequire(import.meta.url);
  try {
    cached = require(path) as NativeAddon;
  } catch (err) {
    throw new CodeblockError(
      `native addon at ${path} failed to load (${(err as Error).message.split('\n')[0]}): rebuild it with \`npm ` +
        `run build:native\``,
      'E_NATIVE',
    );
  }
  return cached;
}
