/**
 * Builds and runs the truth tools: runTruth(lang, records) → one output object per record, in order.
 * Records: {key, lang, segments: [{start, text}]}. javac and go build into a temp dir once per process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const JAVAC = '/usr/bin/javac';
export const JAVA = '/usr/bin/java';
export const GO = '/usr/bin/go';
export const TOOL_OF = {
  javascript: 'ts',
  jsx: 'ts',
  typescript: 'ts',
  tsx: 'ts',
  c: 'c',
  cpp: 'c',
  java: 'java',
  go: 'go',
};

let tmp;
const built = {};
const tmpDir = () => (tmp ??= mkdtempSync(join(tmpdir(), 'truth-')));

function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr).slice(0, 2000)}`);
  return r;
}

/** The command line of a tool, building it first where needed; undefined when its compiler is missing. */
export function toolCommand(tool) {
  if (tool === 'ts') return [process.execPath, join(HERE, 'ts-truth.mjs')];
  if (tool === 'c') return existsSync('/usr/bin/clang') ? [process.execPath, join(HERE, 'c-truth.mjs')] : undefined;
  if (tool === 'java') {
    if (!existsSync(JAVAC)) return undefined;
    if (!built.java) {
      const out = join(tmpDir(), 'java');
      must(spawnSync(JAVAC, ['-d', out, join(HERE, 'JavaTruth.java')], { encoding: 'utf8' }), 'javac JavaTruth');
      built.java = [JAVA, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', out, 'JavaTruth'];
    }
    return built.java;
  }
  if (tool === 'go') {
    if (!existsSync(GO)) return undefined;
    if (!built.go) {
      const bin = join(tmpDir(), 'gotruth');
      const env = {
        ...process.env,
        GOCACHE: join(tmpDir(), 'gocache'),
        GOPATH: join(tmpDir(), 'gopath'),
        GOFLAGS: '-mod=mod',
        GOPROXY: 'off',
        GO111MODULE: 'on',
      };
      must(
        spawnSync(GO, ['build', '-o', bin, '.'], { cwd: join(HERE, 'go-truth'), env, encoding: 'utf8' }),
        'go build',
      );
      built.go = [bin];
    }
    return built.go;
  }
  return undefined;
}

/** Runs the tool of `lang` over the records; returns the parsed output lines. */
export function runTruth(lang, records) {
  const cmd = toolCommand(TOOL_OF[lang]);
  if (!cmd) throw new Error(`no truth tool for ${lang} on this machine`);
  const input = records.map((r) => JSON.stringify(r)).join('\n');
  const r = spawnSync(cmd[0], cmd.slice(1), { input: `${input}\n`, maxBuffer: 1 << 30, encoding: 'utf8' });
  must(r, cmd.join(' '));
  const out = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  if (out.length !== records.length) throw new Error(`${lang}: ${out.length} output lines for ${records.length}`);
  return out;
}
