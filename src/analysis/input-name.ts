/**
 * An input's name in an analysis: its real path (symlinks and `.`/`..` resolved), relative to the real working
 * directory (with `..` steps when it lies outside it, so no machine path lands in the output), absolute only when
 * no relative path exists. `pool.jsonl`, `./pool.jsonl`, `$PWD/pool.jsonl` and a symlink
 * to it are one input: one config hash (resume reuses their parts, their shards go together) and one `file` in
 * every record, rejected and quarantine line (docs/reliability.md, "Input identity by content").
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

export function inputName(path: string, cwd: string = process.cwd()): string {
  const real = realpathSync(path);
  const rel = relative(realpathSync(cwd), real);
  return rel !== '' && !isAbsolute(rel) ? rel : real;
}
