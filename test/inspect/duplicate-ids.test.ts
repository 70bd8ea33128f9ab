/**
 * `inspect --id` with an id several records share (issue 26, case 8): every record of that id is shown, in
 * input order, and stderr says how many there are — never only the first one, silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, FAST_ANALYZE, SHARED_DATA } from '../helpers/cli.js';

test('inspect --id of a duplicated id: all its records, in input order, and how many there are', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-dupid-'));
  try {
    const lines = readFileSync(join(SHARED_DATA, 'mbpp-markdown.jsonl'), 'utf8').trim().split('\n').slice(0, 12);
    const recs = lines.map((l) => JSON.parse(l) as { id: string; response: string });
    // records 2, 5 and 9 share one id; their responses differ (each is its own record)
    for (const i of [5, 9]) recs[i]!.id = recs[2]!.id;
    const input = join(dir, 'dup.jsonl');
    writeFileSync(input, `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const an = join(dir, 'analysis');
    assert.equal(cli(['analyze', input, '-o', an, ...FAST_ANALYZE]).status, 0);

    const r = cli(['inspect', an, '--id', recs[2]!.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`3 records have the id "${recs[2]!.id}"; showing all of them`));
    assert.match(r.stderr, /ordinals 2, 5, 9/);
    const headers = [...r.stdout.matchAll(/── record (\d) of 3 with this id: ordinal (\d+)/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(headers, [
      ['1', '2'],
      ['2', '5'],
      ['3', '9'],
    ]);
    // each record's own code is shown (a first line of each response), in that order
    const firsts = [2, 5, 9].map((i) =>
      recs[i]!.response.split('\n')
        .find((l) => /def /.test(l))!
        .trim(),
    );
    let at = 0;
    for (const f of firsts) {
      const k = r.stdout.indexOf(f.slice(0, 30), at);
      assert.ok(k >= at, `missing or out of order: ${f}`);
      at = k;
    }
    // a unique id: one record, no note
    const u = cli(['inspect', an, '--id', recs[0]!.id]);
    assert.equal(u.status, 0, u.stderr);
    assert.doesNotMatch(u.stderr, /records have the id/);
    assert.doesNotMatch(u.stdout, /with this id/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
