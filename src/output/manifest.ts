/**
 * manifest.json of an output directory (DESIGN §8, issue 6 item 7):
 *
 * {"version","config",
 *  "counts":{"input","selected","rejected":{"<reason>":n},"quarantined"},
 *  "tokens":{"response","supervised","supervised_code","supervised_nl","supervised_eos",
 *            "supervised_by_language":{"<lang>":n},"ratio"},
 *  "packing":{"packs","max_len","tokens","efficiency"},
 *  "files":[{"path","sha256","bytes"}]}
 *
 * Deterministic: keys in the order above, `config` and any extra section with keys sorted
 * recursively, reasons sorted, files sorted by path, no timestamps. Accounting is validated:
 * counts.input = selected + Σ rejected + quarantined, else it is a bug and we throw.
 */
import { join } from 'node:path';
import { CodeblockError } from '../errors.js';
import { writeFileAtomic, type WrittenFile } from './atomic.js';
import { FILE_NAMES, type OutputFile } from './types.js';

export const MANIFEST_SCHEMA_VERSION = 1;

export interface ManifestInput {
  /** codeblock version that wrote the output. */
  version: string;
  /** Effective configuration (JSON-serializable). */
  config: Record<string, unknown>;
  /** missing: only with select --allow-partial, the input records the analysis lacked (not in input). */
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number; missing?: number };
  tokens: {
    response: number;
    supervised: number;
    supervised_code: number;
    supervised_nl: number;
    /** End-of-assistant-turn tokens (`--supervise-eos`); absent in manifests written before it (read as 0). */
    supervised_eos?: number;
    /** Supervised response tokens by the language of their segment ("prose" outside code); sums to at most
     *  `supervised` (tokens outside the response, e.g. a template's end-of-turn, have no language). */
    supervised_by_language?: Record<string, number>;
  };
  /** packs written, the pack length limit, and the tokens in all packs. */
  packing: { packs: number; max_len: number; tokens: number };
  files: readonly OutputFile[] | readonly { path: string; sha256: string; bytes?: number }[];
  /** Further sections (e.g. selection threshold, tokenizer description); keys sorted on output. */
  extra?: Record<string, unknown>;
}

export interface Manifest {
  manifest_version: number;
  version: string;
  config: Record<string, unknown>;
  counts: { input: number; selected: number; rejected: Record<string, number>; quarantined: number; missing?: number };
  tokens: {
    response: number;
    supervised: number;
    supervised_code: number;
    supervised_nl: number;
    supervised_eos: number;
    supervised_by_language?: Record<string, number>;
    ratio: number;
  };
  packing: { packs: number; max_len: number; tokens: number; efficiency: number };
  files: { path: string; sha256: string; bytes?: number }[];
  [extra: string]: unknown;
}

function bug(msg: string): CodeblockError {
  return new CodeblockError(`manifest: ${msg} (this is a bug in codeblock)`, 'E_ACCOUNTING');
}

function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw bug(`${what} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** Deep copy with object keys sorted (arrays keep their order); rejects non-JSON values. */
export function sortKeysDeep(v: unknown, path = 'config'): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw bug(`${path} is not a finite number`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => sortKeysDeep(x, `${path}[${i}]`));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      throw bug(`${path} is not a plain JSON object (${(v as object).constructor?.name ?? 'unknown'})`);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      out[k] = sortKeysDeep(x, `${path}.${k}`);
    }
    return out;
  }
  throw bug(`${path} is not JSON-serializable (${typeof v})`);
}

/** Build and validate a manifest. Throws CodeblockError('E_ACCOUNTING') when the numbers do not add up. */
export function buildManifest(input: ManifestInput): Manifest {
  const c = input.counts;
  const rejected: Record<string, number> = {};
  let rejectedSum = 0;
  for (const reason of Object.keys(c.rejected ?? {}).sort()) {
    const n = count(c.rejected[reason], `counts.rejected.${reason}`);
    rejected[reason] = n;
    rejectedSum += n;
  }
  const counts = {
    input: count(c.input, 'counts.input'),
    selected: count(c.selected, 'counts.selected'),
    rejected,
    quarantined: count(c.quarantined, 'counts.quarantined'),
    ...(c.missing !== undefined ? { missing: count(c.missing, 'counts.missing') } : {}),
  };
  if (counts.input !== counts.selected + rejectedSum + counts.quarantined) {
    throw bug(
      `counts.input ${counts.input} != selected ${counts.selected} + rejected ${rejectedSum} + quarantined ` +
        `${counts.quarantined}`,
    );
  }
  const t = input.tokens;
  let byLanguage: Record<string, number> | undefined;
  if (t.supervised_by_language) {
    byLanguage = {};
    let sum = 0;
    for (const lang of Object.keys(t.supervised_by_language).sort()) {
      const n = count(t.supervised_by_language[lang], `tokens.supervised_by_language.${lang}`);
      byLanguage[lang] = n;
      sum += n;
    }
    if (sum > t.supervised) throw bug(`tokens.supervised_by_language sums to ${sum} > supervised ${t.supervised}`);
  }
  const tokens = {
    response: count(t.response, 'tokens.response'),
    supervised: count(t.supervised, 'tokens.supervised'),
    supervised_code: count(t.supervised_code, 'tokens.supervised_code'),
    supervised_nl: count(t.supervised_nl, 'tokens.supervised_nl'),
    supervised_eos: count(t.supervised_eos ?? 0, 'tokens.supervised_eos'),
    ...(byLanguage ? { supervised_by_language: byLanguage } : {}),
    ratio: 0,
  };
  if (tokens.supervised_code + tokens.supervised_nl + tokens.supervised_eos !== tokens.supervised) {
    throw bug(
      `tokens.supervised ${tokens.supervised} != supervised_code ${tokens.supervised_code} + supervised_nl ` +
        `${tokens.supervised_nl} + supervised_eos ${tokens.supervised_eos}`,
    );
  }
  tokens.ratio = tokens.response > 0 ? tokens.supervised / tokens.response : 0;
  const p = input.packing;
  const packing = {
    packs: count(p.packs, 'packing.packs'),
    max_len: count(p.max_len, 'packing.max_len'),
    tokens: count(p.tokens, 'packing.tokens'),
    efficiency: 0,
  };
  if (packing.max_len === 0) throw bug('packing.max_len must be positive');
  if (packing.tokens > packing.packs * packing.max_len)
    throw bug(`packing.tokens ${packing.tokens} exceed packs × max_len`);
  packing.efficiency = packing.packs > 0 ? packing.tokens / (packing.packs * packing.max_len) : 0;
  const files = [...input.files]
    .map((f) => {
      if (typeof f.path !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
        throw bug(`bad file entry ${JSON.stringify(f)}`);
      return f.bytes === undefined
        ? { path: f.path, sha256: f.sha256 }
        : { path: f.path, sha256: f.sha256, bytes: count(f.bytes, `files[${f.path}].bytes`) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < files.length; i++)
    if (files[i]!.path === files[i - 1]!.path) throw bug(`file ${files[i]!.path} listed twice`);
  if (typeof input.version !== 'string' || input.version.length === 0) throw bug('version must be a non-empty string');
  const manifest: Manifest = {
    manifest_version: MANIFEST_SCHEMA_VERSION,
    version: input.version,
    config: sortKeysDeep(input.config ?? {}) as Record<string, unknown>,
    counts,
    tokens,
    packing,
    files,
  };
  if (input.extra) {
    for (const k of Object.keys(input.extra).sort()) {
      if (k in manifest) throw bug(`extra section '${k}' collides with a manifest key`);
      manifest[k] = sortKeysDeep(input.extra[k], k);
    }
  }
  return manifest;
}

/** Validate a manifest read back from disk (same rules as buildManifest). */
export function validateManifest(m: unknown): Manifest {
  if (!m || typeof m !== 'object') throw bug('manifest is not an object');
  const x = m as Manifest;
  const { manifest_version: _v, version, config, counts, tokens, packing, files, ...extra } = x;
  return buildManifest({
    version,
    config,
    counts,
    tokens,
    packing,
    files,
    extra: Object.keys(extra).length ? extra : undefined,
  });
}

/** Serialize exactly as written to disk (2-space indent, trailing newline). */
export function manifestToJson(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Build, validate and atomically write `<dir>/manifest.json`. */
export function writeManifest(dir: string, input: ManifestInput): { manifest: Manifest; file: WrittenFile } {
  const manifest = buildManifest(input);
  const file = writeFileAtomic(join(dir, FILE_NAMES.manifest), manifestToJson(manifest));
  return { manifest, file };
}
