// The default scorer's training corpus: a deterministic, multilingual selection of code and prose from
// files a Debian 12 machine with the project's packages has installed (config.json `corpus.sources`), never
// ../shared/data (the evaluation set). Shared by the tokenizer trainer, the encoder and the evaluation.
//
// Each source lists its files (sorted by path), shuffles them with a seeded Fisher–Yates and takes whole files
// until its character quota is met. Files are skipped when binary, minified (a line over `max_line`, default 400,
// characters), under 512 or over `max_file_chars` characters, or an exact duplicate (sha256) of a file taken.
// Entries are `{ source, lang, path }`; a path `a.zip!member` is a member of a zip, `*.gz` is gunzipped.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pick, zipEntries, zipRead } from '../truth/corpus.mjs';

export const REPO = resolve(new URL('.', import.meta.url).pathname, '..', '..');
const SHARED = resolve(REPO, '..', 'shared');

function walk(dir, src, out) {
  let ents;
  try {
    ents = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of ents) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!(src.exclude_dirs ?? []).includes(e.name)) walk(p, src, out);
    } else if (e.isFile() && new RegExp(src.include).test(e.name)) {
      if (src.exclude && new RegExp(src.exclude).test(p)) continue;
      out.push(p);
    }
  }
  return out;
}

const zips = new Map();
function zipOf(path) {
  let z = zips.get(path);
  if (!z) {
    const buf = readFileSync(path);
    z = { buf, ents: new Map(zipEntries(buf).map((e) => [e.name, e])) };
    zips.set(path, z);
  }
  return z;
}

/** The text of a corpus entry (a file, a zip member `a.zip!m`, or a gzipped file). */
export function readEntry(path) {
  const bang = path.indexOf('.zip!');
  if (bang >= 0) {
    const { buf, ents } = zipOf(path.slice(0, bang + 4));
    return zipRead(buf, ents.get(path.slice(bang + 5)));
  }
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

function listSource(src) {
  if (src.zip) {
    if (!existsSync(src.zip)) return [];
    const re = new RegExp(src.include);
    return [...zipOf(src.zip).ents.keys()]
      .filter((m) => m.startsWith(src.prefix ?? '') && re.test(m))
      .map((m) => `${src.zip}!${m}`);
  }
  return src.roots.flatMap((r) => (existsSync(r) ? walk(r, src, []) : []));
}

const usable = (text, maxChars, maxLine) =>
  text.length >= 512 &&
  text.length <= maxChars &&
  !text.includes('\u0000') &&
  !text.includes('\uFFFD') &&
  !text.split('\n').some((l) => l.length > maxLine);

/** The corpus entries in a fixed order (sources in config order, files in seeded order), with split and hash. */
export function listCorpus(cfg) {
  const c = cfg.corpus;
  const seen = new Set();
  const out = [];
  for (const src of c.sources) {
    const files = listSource(src);
    let chars = 0;
    let k = 0;
    const maxChars = src.max_file_chars ?? c.max_file_chars;
    const maxLine = src.max_line ?? 400;
    for (const path of pick(files, files.length, c.seed)) {
      if (chars >= src.quota_chars) break;
      if (resolve(path).startsWith(SHARED)) throw new Error(`corpus source reaches ../shared: ${path}`);
      if (!path.includes('.zip!') && statSync(path).size > 4 * maxChars) continue;
      let text;
      try {
        text = readEntry(path);
      } catch {
        continue;
      }
      if (!usable(text, maxChars, maxLine)) continue;
      const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
      if (seen.has(sha)) continue;
      seen.add(sha);
      const split = k++ % c.heldout_every === c.heldout_every - 1 ? 'val' : 'train';
      out.push({ split, sha, source: src.name, lang: src.lang, path, chars: text.length });
      chars += text.length;
    }
  }
  return out;
}

/** tools/train/filelist.txt rows: split, sha256 prefix, source, path. */
export function readFilelist(here) {
  return readFileSync(join(here, 'filelist.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [split, sha, source, path] = l.split('\t');
      return { split, sha, source, path };
    });
}
