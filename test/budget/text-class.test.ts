/**
 * The slice-free token text checks of src/budget/candidates.ts (`blank`, `wordish`) against the regexes they
 * stand for, on every UTF-16 code unit, surrogate pairs, and mixed ranges inside a longer string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, wordish } from '../../src/budget/candidates.js';

const WS = /^\s*$/u;
const WORDISH = /[\p{L}\p{N}]/u;

test('blank and wordish equal the regexes on every code unit and on mixed ranges', () => {
  for (let c = 0; c <= 0xffff; c++) {
    const s = `ab${String.fromCharCode(c)}cd`;
    assert.equal(blank(s, 2, 3), WS.test(s.slice(2, 3)), `blank U+${c.toString(16)}`);
    assert.equal(wordish(s, 2, 3), WORDISH.test(s.slice(2, 3)), `wordish U+${c.toString(16)}`);
  }
  const pieces = [
    ' ',
    '\t',
    '\n',
    '\r\n',
    '\u00a0',
    '\u3000',
    '\ufeff',
    'x',
    '7',
    '_',
    '-',
    '😀',
    '𝔘',
    '中',
    '\ud800',
    '!',
  ];
  for (const a of pieces) {
    for (const b of pieces) {
      for (const c of pieces) {
        const s = `#${a}${b}${c}#`;
        const t = s.slice(1, -1);
        assert.equal(blank(s, 1, s.length - 1), WS.test(t), `blank ${JSON.stringify(t)}`);
        assert.equal(wordish(s, 1, s.length - 1), WORDISH.test(t), `wordish ${JSON.stringify(t)}`);
      }
    }
  }
});
