/** Input format detection: by file name first, by magic bytes as a fallback, JSONL otherwise. */
import { open } from 'node:fs/promises';

export type InputFormat = 'jsonl' | 'jsonl.gz' | 'jsonl.zst' | 'parquet';

/** Format implied by the file name alone, if any. */
export function formatFromName(path: string): InputFormat | undefined {
  const p = path.toLowerCase();
  if (p.endsWith('.gz') || p.endsWith('.gzip')) return 'jsonl.gz';
  if (p.endsWith('.zst') || p.endsWith('.zstd')) return 'jsonl.zst';
  if (p.endsWith('.parquet') || p.endsWith('.pq')) return 'parquet';
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson') || p.endsWith('.json')) return 'jsonl';
  return undefined;
}

/** Format implied by the first bytes of a file, if any. */
export function formatFromMagic(head: Uint8Array): InputFormat | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'jsonl.gz';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'jsonl.zst';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31)
    return 'parquet';
  return undefined;
}

export async function readHead(path: string, n = 8): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Detect a file's format. Magic bytes of a binary format (gzip, zstd, Parquet) win — no JSONL text
 * can start with them, so a mis-named file is still read right; otherwise the name decides
 * (`.gz`/`.zst` content that is not compressed is then reported as a damaged stream); otherwise JSONL.
 * Throws the fs error if the file cannot be opened.
 */
export async function detectFormat(path: string): Promise<InputFormat> {
  return formatFromMagic(await readHead(path)) ?? formatFromName(path) ?? 'jsonl';
}
