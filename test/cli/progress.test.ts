/**
 * The progress bar (issue #27, rough edges): every stage counts from 0 against its own total, `done()` ends the
 * bar's line so the summary that follows stands on its own line, and `analyze` shows a total and an ETA.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Progress } from '../../src/cli/progress.js';
import { BIN, EXAMPLES } from '../helpers/cli.js';

/** A terminal-shaped stream that records what is written. */
function fakeTty(isTTY = true) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } };
}

/** The frames drawn (each `\r…` redraw) and the text, split at newlines. */
const frames = (text: string) => text.split(/[\r\n]/).filter((l) => l.trim());

function withoutCI<T>(f: () => T): T {
  const ci = process.env.CI;
  delete process.env.CI;
  try {
    return f();
  } finally {
    if (ci !== undefined) process.env.CI = ci;
  }
}

test('Progress: each stage counts from 0 to its own total; done() ends the line once; silent off a TTY', () => {
  const { chunks, stream } = fakeTty();
  const p = withoutCI(() => new Progress('select', { stream }));
  p.stage('select: masks', 973);
  p.tick(973);
  p.stage('select: packs', 5, 'packs');
  for (let i = 0; i < 5; i++) p.tick();
  p.done();
  p.done();
  const text = chunks.join('');
  const last = frames(text).at(-1)!;
  assert.match(last, /^select: packs \[#{24}\] 5\/5 100\.0% .* packs\/s {2}ETA 0:00/);
  for (const f of frames(text)) {
    const m = /(\d[\d,]*)\/(\d[\d,]*) /.exec(f);
    if (m) assert.ok(Number(m[1]!.replace(/,/g, '')) <= Number(m[2]!.replace(/,/g, '')), f);
    assert.doesNotMatch(f, /-\d|NaN/, f);
  }
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), JSON.stringify(text.slice(-40)));

  const quiet = fakeTty(false);
  const q = withoutCI(() => new Progress('x', { stream: quiet.stream }));
  q.stage('y', 3);
  q.tick(3);
  q.done();
  assert.deepEqual(quiet.chunks, []);
  assert.equal(q.active, false);

  // a total that arrives later (analyze counts its input beside the run)
  const late = fakeTty();
  const l = withoutCI(() => new Progress('analyze', { stream: late.stream }));
  l.stage('analyze shard 0/1');
  l.tick(10);
  l.setTotal(40);
  assert.match(frames(late.chunks.join('')).at(-1)!, /^analyze shard 0\/1 \[#{6}-{18}\] 10\/40 25\.0% .* ETA \d+:\d\d/);
  l.done();
  l.setTotal(50); // after done(): nothing more is drawn
  assert.ok(late.chunks.join('').endsWith('\n'));
});

const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
test('codeblock run on a terminal: analyze shows its total, select counts per stage, summaries on their own lines', {
  skip: script.status === 0 ? false : 'util-linux `script` (a pseudo-terminal) is not installed',
}, () => {
  const out = mkdtempSync(join(tmpdir(), 'cb-progress-'));
  try {
    const env = { ...process.env };
    delete env.CI;
    const cmd = `stty cols 200; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run ${JSON.stringify(
      join(EXAMPLES, 'pool.jsonl'),
    )} -o ${JSON.stringify(out)} --scorer none --workers 1`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 300_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const text = r.stdout.replace(/\r\n/g, '\n');
    const lines = text.split('\n');
    // the summaries start their lines (nothing of a bar before them)
    const analyzeSummary = lines.find((l) => l.includes('analyze: shard 0/1:'));
    const selectSummary = lines.find((l) => l.includes('select: ') && l.includes(' packs, efficiency'));
    assert.ok(analyzeSummary?.startsWith('analyze: shard 0/1:'), JSON.stringify(analyzeSummary));
    assert.ok(selectSummary?.startsWith('select: '), JSON.stringify(selectSummary));
    const drawn = frames(text).filter((f) => /\[[#-]{24}\]/.test(f));
    const input = Number(/select: (\d+) input/.exec(selectSummary!)![1]);
    // analyze: a bar against the input's record count, with an ETA
    assert.ok(drawn.some((f) => f.startsWith('analyze shard 0/1 [') && f.includes(`/${input} `) && /ETA \d/.test(f)));
    // select's stages: each against its own total, never past it
    for (const stage of ['select: masks', 'select: packs']) {
      assert.ok(
        drawn.some((f) => f.startsWith(stage)),
        `${stage} drawn`,
      );
    }
    for (const f of drawn) {
      const m = /\] (\d[\d,]*)\/(\d[\d,]*) /.exec(f)!;
      assert.ok(Number(m[1]!.replace(/,/g, '')) <= Number(m[2]!.replace(/,/g, '')), f);
      assert.doesNotMatch(f, /ETA -\d|NaN/, f);
    }
    assert.ok(drawn.some((f) => /^select: packs .* packs\/s/.test(f)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
