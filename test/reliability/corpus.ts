/**
 * The bad-input corpus (issue 8, item 2): writes ≥ 30 kinds of hostile input into a directory at test
 * time, next to the good records of examples/pool.jsonl, and says for every bad record where it must
 * end: selected, rejected with a reason, or quarantined with a reason.
 *
 * Every non-blank JSONL line / Parquet row gets the next global ordinal (all files in input order),
 * exactly as the readers number them, so outcomes are matched by ordinal: rejected.jsonl and
 * quarantine.jsonl carry it, and a record that is in neither was selected.
 *
 * The expectations are for `run --budget 1 --nl-ratio 0` (every selectable item of every analyzed
 * record is taken, so "selected" does not depend on the rest of the pool — see docs/reliability.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import { PACKAGE_ROOT } from '../../src/native.js';

export type Status = 'selected' | 'rejected' | 'quarantined';

export interface Case {
  /** Short name of the bad-input kind. */
  kind: string;
  /** File basename and 1-based line (JSONL) / 0-based row (Parquet). */
  file: string;
  line: number;
  ordinal: number;
  /** The record's id as the pipeline will report it, when it has one. */
  id?: string;
  status: Status;
  /** Reject / quarantine reason (required unless selected). */
  reason?: string;
  /** Extra check on the selected sample row (samples.jsonl), e.g. the text survived intact. */
  sample?: (row: SampleRow) => void;
}

export interface SampleRow {
  id: string;
  text: string;
  input_ids: number[];
  labels: number[];
  num_supervised: number;
  selected: Array<{ start: number; end: number; kind: string; score: number }>;
}

/** A compressed file cut in the middle: the records before the cut must come through. */
export interface Truncated {
  file: string;
  /** Ids of the records whose bytes lie wholly before the cut, in order. */
  recoverable: string[];
  /** Ids of all records in the uncut file. */
  all: string[];
  /** Ordinal of the first record of this file. */
  firstOrdinal: number;
}

export interface Corpus {
  dir: string;
  /** Input files in order (the good pool's lines are spread over mixed.jsonl). */
  inputs: string[];
  cases: Case[];
  truncated: Truncated[];
  /** Ids of the good records (examples/pool.jsonl), whose outcome must not change. */
  goodIds: string[];
  /** The good records alone, for the reference run. */
  goodPool: string;
  /** Total ordinals the run must account for (every line/row readable before any stream damage). */
  expectedInput: number;
}

export const EXAMPLE_POOL = join(PACKAGE_ROOT, 'examples', 'pool.jsonl');
export const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'reliability');

const FENCE = '```';

/** A good OCI-shaped response: prose + one fenced Python function, unique per tag. */
export function goodResponse(tag: string, body?: string): string {
  const code =
    body ?? `def total_${tag}(values):\n    acc = 0\n    for v in values:\n        acc += v * 2\n    return acc\n`;
  return `Here is a short solution.\n\n${FENCE}python\n${code}${FENCE}\n\nIt walks the list once.`;
}

const GOOD_JUDGEMENT = JSON.stringify({
  requirement_conformance: { score: 5, justification: 'ok' },
  logical_correctness: { score: 5, justification: 'ok' },
});

export function oci(
  id: string | undefined,
  output: unknown,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (id !== undefined) r.id = id;
  r.input = `Task for ${id ?? 'a record'}: write the function.`;
  r.output = output;
  r.llm_judgement = GOOD_JUDGEMENT;
  r.tests_execution_status = JSON.stringify(['pass', 'pass']);
  r.average_test_score = '1';
  return { ...r, ...extra };
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Numbers lines the way the JSONL reader does (blank lines are not records). */
class JsonlFile {
  readonly lines: Buffer[] = [];
  constructor(
    readonly name: string,
    private readonly corpus: Builder,
  ) {}

  /** Adds one line (bytes without the newline); returns its 1-based line number and ordinal. */
  raw(bytes: Buffer, blank = false): { line: number; ordinal: number } {
    this.lines.push(bytes);
    return { line: this.lines.length, ordinal: blank ? -1 : this.corpus.nextOrdinal++ };
  }

  /** Adds a bad-input case line. */
  add(kind: string, bytes: Buffer | string | object, expect: Omit<Case, 'kind' | 'file' | 'line' | 'ordinal'>): Case {
    const b = Buffer.isBuffer(bytes) ? bytes : utf8(typeof bytes === 'string' ? bytes : JSON.stringify(bytes));
    const { line, ordinal } = this.raw(b);
    const c: Case = { kind, file: this.name, line, ordinal, ...expect };
    this.corpus.cases.push(c);
    return c;
  }

  write(dir: string, eol = '\n', prefix: Buffer = Buffer.alloc(0)): string {
    const path = join(dir, this.name);
    writeFileSync(path, Buffer.concat([prefix, ...this.lines.flatMap((l) => [l, utf8(eol)])]));
    return path;
  }
}

class Builder {
  nextOrdinal = 0;
  cases: Case[] = [];
}

const sel = (id: string, sample?: Case['sample']): Omit<Case, 'kind' | 'file' | 'line' | 'ordinal'> => ({
  id,
  status: 'selected',
  sample,
});
const rej = (id: string | undefined, reason: string): Omit<Case, 'kind' | 'file' | 'line' | 'ordinal'> => ({
  id,
  status: 'rejected',
  reason,
});
const quar = (reason: string, id?: string): Omit<Case, 'kind' | 'file' | 'line' | 'ordinal'> => ({
  id,
  status: 'quarantined',
  reason,
});

/** The selected text of a sample must contain `needle` verbatim (nothing was mangled on the way). */
const textHas =
  (...needles: string[]) =>
  (row: SampleRow): void => {
    for (const n of needles)
      if (!row.text.includes(n)) throw new Error(`sample ${row.id}: text lost ${JSON.stringify(n)}`);
  };

/**
 * The selected code items of a sample, sliced from its text by CODE POINT offsets (the public offset
 * unit), must include each expected statement exactly — indentation and line ending included.
 */
const itemsAre =
  (...statements: string[]) =>
  (row: SampleRow): void => {
    const cps = [...row.text];
    const items = row.selected.filter((x) => x.kind === 'item').map((x) => cps.slice(x.start, x.end).join(''));
    for (const st of statements)
      if (!items.includes(st))
        throw new Error(`sample ${row.id}: no selected item ${JSON.stringify(st)} among ${JSON.stringify(items)}`);
  };

const both =
  (...checks: Array<(row: SampleRow) => void>) =>
  (row: SampleRow): void => {
    for (const c of checks) c(row);
  };

/** Writes the corpus into `dir`. */
export function buildCorpus(dir: string): Corpus {
  mkdirSync(dir, { recursive: true });
  const b = new Builder();
  const inputs: string[] = [];
  const goodLines = readFileSync(EXAMPLE_POOL, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const goodIds = goodLines.map((l) => String((JSON.parse(l) as { id: unknown }).id));

  // ---- mixed.jsonl: OCI (its first line, a good record, fixes the preset), bad lines between good ones
  const mixed = new JsonlFile('mixed.jsonl', b);
  const half = Math.ceil(goodLines.length / 2);
  for (const l of goodLines.slice(0, half)) mixed.raw(utf8(l));
  const pending = goodLines.slice(half);
  const good = (): void => {
    const l = pending.shift();
    if (l !== undefined) mixed.raw(utf8(l));
  };
  const add = (
    kind: string,
    bytes: Buffer | string | object,
    expect: Omit<Case, 'kind' | 'file' | 'line' | 'ordinal'>,
  ): void => {
    mixed.add(kind, bytes, expect);
    good();
  };

  // -- unreadable lines (quarantine)
  add('bad_json: truncated object', '{"id": "bj-1", "input": "x", "output": "```python\\nx = 1', quar('bad_json'));
  add('bad_json: trailing garbage', `${JSON.stringify(oci('bj-2', goodResponse('bj2')))} trailing`, quar('bad_json'));
  add('bad_json: single quotes', "{'id': 'bj-3', 'input': 'x', 'output': 'y'}", quar('bad_json'));
  add(
    'bad_json: NaN literal',
    '{"id": "bj-4", "input": "x", "output": "y", "average_test_score": NaN}',
    quar('bad_json'),
  );
  add(
    'raw NUL byte inside a JSON string',
    Buffer.concat([utf8('{"id": "nul-raw", "input": "x", "output": "a'), Buffer.from([0]), utf8('b"}')]),
    quar('bad_json'),
  );
  add(
    'invalid UTF-8 (0xFF byte)',
    Buffer.concat([utf8('{"id": "u8-ff", "input": "x", "output": "caf'), Buffer.from([0xff]), utf8('"}')]),
    quar('invalid_utf8'),
  );
  add(
    'invalid UTF-8 (overlong encoding of /)',
    Buffer.concat([utf8('{"id": "u8-overlong", "input": "x", "output": "a'), Buffer.from([0xc0, 0xaf]), utf8('"}')]),
    quar('invalid_utf8'),
  );
  add(
    'invalid UTF-8 (CESU-8 encoded surrogate)',
    Buffer.concat([utf8('{"id": "u8-cesu", "input": "x", "output": "a'), Buffer.from([0xed, 0xa0, 0x80]), utf8('"}')]),
    quar('invalid_utf8'),
  );
  add(
    'invalid UTF-8 (Latin-1 text)',
    Buffer.concat([
      utf8('{"id": "u8-latin1", "input": "r'),
      Buffer.from([0xe9]),
      utf8('sum'),
      Buffer.from([0xe9]),
      utf8('", "output": "x"}'),
    ]),
    quar('invalid_utf8'),
  );
  add('not an object: array', '[1, 2, 3]', quar('not_an_object'));
  add('not an object: string', '"just a string"', quar('not_an_object'));
  add('not an object: null', 'null', quar('not_an_object'));
  add('not an object: number', '42', quar('not_an_object'));
  add('missing output field', { id: 'mf-1', input: 'Write f.' }, quar('missing_field', 'mf-1'));
  add('output is null', { id: 'mf-2', input: 'Write f.', output: null }, quar('missing_field', 'mf-2'));
  add('response is a number', oci('wt-num', 42), quar('wrong_type', 'wt-num'));
  add('response is an array', oci('wt-arr', ['```python\nx = 1\n```']), quar('wrong_type', 'wt-arr'));
  add('response is an object', oci('wt-obj', { text: 'x = 1' }), quar('wrong_type', 'wt-obj'));
  add(
    'prompt is a boolean',
    { id: 'wt-bool', input: true, output: goodResponse('wtbool') },
    quar('wrong_type', 'wt-bool'),
  );
  add('id is an object', oci(undefined, goodResponse('idobj'), { id: { nested: 1 } }), quar('wrong_type'));

  // -- readable but unusable (rejected)
  add('empty response', oci('empty-1', ''), rej('empty-1', 'empty'));
  add('whitespace-only response', oci('empty-2', ' \n\t \r\n  '), rej('empty-2', 'empty'));
  add(
    '20 MB response (never parsed)',
    oci('huge-20mb', `${goodResponse('huge')}\n${'# padding line of a giant response\n'.repeat(600_000)}`),
    rej('huge-20mb', 'response_too_long'),
  );
  add(
    'line over --max-line-bytes (33 MiB, never buffered)',
    Buffer.concat([
      utf8('{"id": "giant-line", "input": "x", "output": "'),
      Buffer.alloc(33 * 1024 * 1024, 0x61),
      utf8('"}'),
    ]),
    quar('line_too_long'),
  );
  add(
    'prose only, no code',
    oci('prose-1', 'You can do this with a list comprehension; no code needed here.'),
    rej('prose-1', 'no_code'),
  );
  add(
    'fences of unregistered languages only',
    oci(
      'nonpy-1',
      `In Haskell:\n\n${FENCE}haskell\nmain = print (map (* 2) [1, 2])\n${FENCE}\n\nAnd the page (markup only, ` +
        `no script):\n\n${FENCE}html\n<ul><li>1</li></ul>\n${FENCE}\n`,
    ),
    rej('nonpy-1', 'no_code'),
  );
  add(
    'Python 2 code (print statement)',
    oci('py2-1', `${FENCE}python\nprint "hello, world"\nprint "sum:", 1 + 2\n${FENCE}`),
    rej('py2-1', 'no_code'),
  );
  add(
    'response that is all comments',
    oci(
      'comments-1',
      `${FENCE}python\n# step 1: read the file\n# step 2: count the words\n# step 3: print the result\n${FENCE}`,
    ),
    rej('comments-1', 'no_code'),
  );
  add(
    'nested fences (Python inside a markdown fence)',
    oci(
      'nested-1',
      `Put this in README.md:\n\n${FENCE}\`markdown\n# Usage\n\n${FENCE}python\nimport mylib\nmylib.run()\n` +
        `${FENCE}\n${FENCE}\`\n`,
    ),
    rej('nested-1', 'no_code'),
  );
  add(
    'OCI tests: average_test_score below threshold',
    oci('tests-1', goodResponse('tests1'), { average_test_score: '0.2' }),
    rej('tests-1', 'tests'),
  );
  add(
    'OCI average_test_score "abc" (falls back to tests_execution_status)',
    oci('tests-abc', goodResponse('testsabc'), {
      average_test_score: 'abc',
      tests_execution_status: JSON.stringify(['pass', 'fail', 'fail']),
    }),
    rej('tests-abc', 'tests'),
  );
  add(
    'OCI tests_execution_status as a plain string',
    oci('tests-plain', goodResponse('testsplain'), {
      average_test_score: undefined,
      tests_execution_status: 'pass fail fail fail',
    }),
    rej('tests-plain', 'tests'),
  );
  add(
    'OCI tests_execution_status an object (ignored)',
    oci('tests-weird', goodResponse('testsweird'), {
      average_test_score: undefined,
      tests_execution_status: '{"weird": true}',
    }),
    sel('tests-weird'),
  );
  add(
    'OCI tests_execution_status a number (ignored)',
    oci('tests-num', goodResponse('testsnum'), { average_test_score: undefined, tests_execution_status: 7 }),
    sel('tests-num'),
  );
  add(
    'OCI average_test_score 1e999 (JSON overflow to Infinity, ignored)',
    `{"id": "tests-inf", "input": "x", "output": ${JSON.stringify(goodResponse('testsinf'))}, ` +
      `"average_test_score": 1e999, "tests_execution_status": "[\\"pass\\"]"}`,
    sel('tests-inf'),
  );
  add(
    'OCI llm_judgement not JSON (ignored)',
    oci('judge-text', goodResponse('judgetext'), { llm_judgement: 'Looks good to me!' }),
    sel('judge-text'),
  );
  add(
    'OCI llm_judgement with a low sub-score as a string',
    oci('judge-low', goodResponse('judgelow'), {
      llm_judgement: JSON.stringify({ logical_correctness: { score: '2', justification: 'off by one' } }),
    }),
    rej('judge-low', 'judgement'),
  );
  add('duplicate pair under another id', oci('dup-orig', goodResponse('dupsrc'), {}), sel('dup-orig'));
  add(
    'duplicate pair (same prompt and response as the line above)',
    { ...oci('dup-copy', goodResponse('dupsrc')), input: 'Task for dup-orig: write the function.' },
    rej('dup-copy', 'duplicate'),
  );
  add('duplicate id, different content (first)', oci('same-id', goodResponse('sameid1')), sel('same-id'));
  add('duplicate id, different content (second)', oci('same-id', goodResponse('sameid2')), sel('same-id'));
  add(
    'duplicate keys in the JSON object (last wins)',
    `{"id": "dupkey", "input": "x", "output": "not code", "output": ${JSON.stringify(goodResponse('dupkey'))}}`,
    sel('dupkey', textHas('total_dupkey')),
  );

  // -- hostile but valid text (selected, text intact)
  add(
    'escaped NUL (\\u0000) in prose',
    oci('nul-esc', `Strings may hold \u0000 bytes.\n\n${goodResponse('nulesc')}`),
    sel('nul-esc', textHas('\u0000')),
  );
  add(
    'lone surrogate (\\ud800) in a string literal',
    oci('lone-sur', goodResponse('lonesur', 'def lone_sur():\n    mark = "a\ud800b"\n    return mark\n')),
    sel('lone-sur', itemsAre('    mark = "a\uFFFDb"\n')),
  );
  add(
    'astral characters in identifiers and strings',
    oci('astral-1', goodResponse('astral', 'def 𝑓𝑛(𝑥):\n    emoji = "😀🎉 ok"\n    return 𝑥 * 2, emoji\n')),
    sel(
      'astral-1',
      both(textHas('𝑓𝑛(𝑥)', '😀🎉'), itemsAre('def 𝑓𝑛(𝑥):\n', '    emoji = "😀🎉 ok"\n', '    return 𝑥 * 2, emoji\n')),
    ),
  );
  add(
    'CRLF line endings inside the response',
    oci('crlf-in', goodResponse('crlfin').replace(/\n/g, '\r\n')),
    sel('crlf-in', itemsAre('def total_crlfin(values):\r\n', '        acc += v * 2\r\n', '    return acc\r\n')),
  );
  add(
    'tab indentation',
    oci(
      'tabs-1',
      goodResponse('tabs', 'def tabs(values):\n\tacc = 0\n\tfor v in values:\n\t\tacc += v\n\treturn acc\n'),
    ),
    sel('tabs-1', itemsAre('\tfor v in values:\n', '\t\tacc += v\n')),
  );
  add(
    'inconsistent tabs and spaces (TabError in CPython)',
    oci(
      'tabs-mixed',
      goodResponse('tabsmix', 'def mixed(values):\n    acc = 0\n\tfor v in values:\n\t    acc += v\n    return acc\n'),
    ),
    sel('tabs-mixed'),
  );
  add(
    'Unicode line separators (U+2028, U+0085) in strings and comments',
    oci(
      'seps-1',
      goodResponse(
        'seps',
        'def seps():\n    # comment with \u2028 a separator\n    s = "a\u2028b\u0085c"\n    return s\n',
      ),
    ),
    sel('seps-1', textHas('a\u2028b\u0085c')),
  );
  add(
    'form feed and ESC control characters',
    oci('ctrl-1', goodResponse('ctrl', 'def ctrl():\n    \fx = "\x1b[31mred\x1b[0m"\n    return x\n')),
    sel('ctrl-1', textHas('\x1b[31mred')),
  );
  add(
    'huge integer literal (1,500 digits)',
    oci('bignum-1', goodResponse('bignum', `def big():\n    n = ${'9'.repeat(1500)}\n    return n % 7\n`)),
    sel('bignum-1'),
  );
  add(
    'huge numeric id (beyond 2^53: would lose precision, so quarantined)',
    `{"id": 123456789012345678901234567890, "input": "x", "output": ${JSON.stringify(goodResponse('bigid'))}}`,
    quar('wrong_type'),
  );
  add(
    'fence that never closes',
    oci('unclosed-1', `Try this:\n\n${FENCE}python\ndef unclosed(a, b):\n    c = a + b\n    return c * 2\n`),
    sel('unclosed-1'),
  );
  add(
    'untagged fence holding Python',
    oci('untagged-1', `${FENCE}\ndef untagged(xs):\n    return sorted(xs)[0]\n${FENCE}`),
    sel('untagged-1'),
  );
  add(
    'bare Python, no fences',
    oci('bare-1', 'import math\n\ndef area(r):\n    return math.pi * r ** 2\n'),
    sel('bare-1'),
  );
  add(
    '10,000-deep nested JSON in an extra field',
    `{"id": "deepjson", "input": "x", "output": ${JSON.stringify(goodResponse('deepjson'))}, "extra": ` +
      `${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    sel('deepjson'),
  );
  add(
    '10,000-deep balanced brackets in Python',
    oci(
      'deep-brackets',
      goodResponse('deepb', `def deep():\n    x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n    return x\n`),
    ),
    rej('deep-brackets', 'pack_too_long'),
  );
  add(
    '10,000 unclosed parentheses in Python',
    oci('deep-open', `${FENCE}python\nx = ${'('.repeat(10_000)}\n${FENCE}`),
    rej('deep-open', 'no_code'),
  );
  mixed.raw(utf8('   \t  '), true); // a whitespace-only line is not a record
  add(
    'BOM in the middle of a file (files joined with cat)',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(JSON.stringify(oci('bom-mid', goodResponse('bommid'))))]),
    sel('bom-mid'),
  );
  while (pending.length) good();
  inputs.push(mixed.write(dir));

  // ---- bom.jsonl: a UTF-8 BOM before the first record
  const bom = new JsonlFile('bom.jsonl', b);
  bom.add('BOM at the start of a file', oci('bom-1', goodResponse('bom1')), sel('bom-1'));
  bom.add('second record after a BOM', oci('bom-2', goodResponse('bom2')), sel('bom-2'));
  inputs.push(bom.write(dir, '\n', Buffer.from([0xef, 0xbb, 0xbf])));

  // ---- crlf.jsonl: Windows line endings (and a CRLF blank line), no final newline
  const crlf = new JsonlFile('crlf.jsonl', b);
  crlf.add('CRLF file line endings', oci('crlf-1', goodResponse('crlf1')), sel('crlf-1'));
  crlf.raw(utf8(''), true);
  crlf.add('CRLF file, last line without newline', oci('crlf-2', goodResponse('crlf2')), sel('crlf-2'));
  {
    const path = join(dir, crlf.name);
    writeFileSync(
      path,
      Buffer.concat(crlf.lines.flatMap((l, i) => (i < crlf.lines.length - 1 ? [l, utf8('\r\n')] : [l]))),
    );
    inputs.push(path);
  }

  // ---- messages.jsonl: chat records (preset auto-detected from the first one)
  const msgs = new JsonlFile('messages.jsonl', b);
  const chat = (id: string, messages: unknown): Record<string, unknown> => ({ id, messages });
  msgs.add(
    'messages: good chat record',
    chat('msg-good', [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Sum a list.' },
      { role: 'assistant', content: goodResponse('msggood') },
    ]),
    sel('msg-good'),
  );
  msgs.add(
    'messages: no assistant turn',
    chat('msg-noasst', [{ role: 'user', content: 'Hello?' }]),
    quar('missing_field', 'msg-noasst'),
  );
  msgs.add('messages: empty list', chat('msg-empty', []), quar('missing_field', 'msg-empty'));
  msgs.add('messages: not a list', chat('msg-str', 'user: hi'), quar('wrong_type', 'msg-str'));
  msgs.add(
    'messages: turn is not an object',
    chat('msg-turnstr', ['hi', { role: 'assistant', content: 'x' }]),
    quar('wrong_type', 'msg-turnstr'),
  );
  msgs.add(
    'messages: assistant content is a number',
    chat('msg-num', [
      { role: 'user', content: 'n?' },
      { role: 'assistant', content: 7 },
    ]),
    quar('wrong_type', 'msg-num'),
  );
  msgs.add(
    'messages: assistant content null',
    chat('msg-null', [
      { role: 'user', content: 'n?' },
      { role: 'assistant', content: null },
    ]),
    quar('missing_field', 'msg-null'),
  );
  msgs.add(
    'messages: content as OpenAI text parts',
    chat('msg-parts', [
      { role: 'user', content: 'Sum.' },
      { role: 'assistant', content: [{ type: 'text', text: goodResponse('msgparts') }] },
    ]),
    sel('msg-parts'),
  );
  msgs.add(
    'messages: trailing user turn after the answer',
    chat('msg-trail', [
      { role: 'user', content: 'Sum.' },
      { role: 'assistant', content: goodResponse('msgtrail') },
      { role: 'user', content: 'thanks' },
    ]),
    sel('msg-trail'),
  );
  inputs.push(msgs.write(dir));

  // ---- empty files: no records, no error
  writeFileSync(join(dir, 'empty.jsonl'), '');
  writeFileSync(join(dir, 'blank.jsonl'), '\n  \n\t\n');
  inputs.push(join(dir, 'empty.jsonl'), join(dir, 'blank.jsonl'));

  // ---- wrong-schema.parquet: no column a preset needs → every row quarantined (bad_schema)
  {
    const name = 'wrong-schema.parquet';
    const rows = 3;
    parquetWriteFile({
      filename: join(dir, name),
      columnData: [
        { name: 'question', data: Array.from({ length: rows }, (_, i) => `q${i}`), type: 'STRING' },
        { name: 'answer_len', data: Array.from({ length: rows }, (_, i) => i), type: 'INT32' },
      ],
    });
    for (let r = 0; r < rows; r++)
      b.cases.push({
        kind: 'Parquet file with the wrong schema',
        file: name,
        line: r,
        ordinal: b.nextOrdinal++,
        status: 'quarantined',
        reason: 'bad_schema',
      });
    inputs.push(join(dir, name));
  }
  // ---- oci.parquet: right schema, one null response, one non-code response
  {
    const name = 'oci.parquet';
    const ids = ['pq-good', 'pq-null', 'pq-prose'];
    const outs = [goodResponse('pqgood'), null, 'No code in this answer.'];
    parquetWriteFile({
      filename: join(dir, name),
      columnData: [
        { name: 'id', data: ids, type: 'STRING' },
        { name: 'input', data: ids.map((i) => `Task ${i}`), type: 'STRING' },
        { name: 'output', data: outs, type: 'STRING', nullable: true },
        { name: 'average_test_score', data: ['1', '1', '1'], type: 'STRING' },
      ],
    });
    const exp: Array<Omit<Case, 'kind' | 'file' | 'line' | 'ordinal'>> = [
      sel('pq-good'),
      quar('missing_field', 'pq-null'),
      rej('pq-prose', 'no_code'),
    ];
    const kinds = ['Parquet: good row', 'Parquet: null response', 'Parquet: response without code'];
    for (let r = 0; r < 3; r++)
      b.cases.push({ kind: kinds[r]!, file: name, line: r, ordinal: b.nextOrdinal++, ...exp[r]! });
    inputs.push(join(dir, name));
  }

  // ---- truncated compressed files (last: records after the cut are unknowable)
  const truncated: Truncated[] = [];
  {
    // gzip: one member per record, cut in the middle of member 4 (0-based 3)
    const name = 'trunc.jsonl.gz';
    const all = Array.from({ length: 6 }, (_, i) => `gz-${i}`);
    const members = all.map((id) =>
      gzipSync(`${JSON.stringify(oci(id, goodResponse(id.replace('-', ''))))}\n`, { level: 9 }),
    );
    const cutMember = 3;
    const before = members.slice(0, cutMember);
    const cut = members[cutMember]!.subarray(0, Math.floor(members[cutMember]!.length / 2));
    writeFileSync(join(dir, name), Buffer.concat([...before, cut]));
    truncated.push({ file: name, all, recoverable: all.slice(0, cutMember), firstOrdinal: b.nextOrdinal });
    // a partial last line (if any bytes of member 3 decode) is quarantined as `truncated`: one more ordinal at most
    b.nextOrdinal += cutMember;
    inputs.push(join(dir, name));
  }
  {
    // zstd (committed fixture, one frame per record), cut in the middle of frame 5
    const name = 'trunc.jsonl.zst';
    const src = readFileSync(join(FIXTURES, 'frames.jsonl.zst'));
    const frames = zstdFrameStarts(src);
    const all = Array.from({ length: frames.length }, (_, i) => `zst-${i}`);
    const cutFrame = 5;
    const end = frames[cutFrame]! + Math.floor(((frames[cutFrame + 1] ?? src.length) - frames[cutFrame]!) / 2);
    writeFileSync(join(dir, name), src.subarray(0, end));
    truncated.push({ file: name, all, recoverable: all.slice(0, cutFrame), firstOrdinal: b.nextOrdinal });
    b.nextOrdinal += cutFrame;
    inputs.push(join(dir, name));
  }

  {
    // gzip magic, then garbage: the stream is damaged from its first block, no record can be read
    const name = 'corrupt.jsonl.gz';
    writeFileSync(
      join(dir, name),
      Buffer.concat([
        Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]),
        Buffer.from('this is not a deflate stream, just text'.repeat(4)),
      ]),
    );
    truncated.push({ file: name, all: [], recoverable: [], firstOrdinal: b.nextOrdinal });
    inputs.push(join(dir, name));
  }

  const goodPool = join(dir, 'good.jsonl');
  writeFileSync(goodPool, `${goodLines.join('\n')}\n`);
  return { dir, inputs, cases: b.cases, truncated, goodIds, goodPool, expectedInput: b.nextOrdinal };
}

/**
 * Byte offsets of the zstd frames in a file of concatenated single-segment frames (zstd CLI output
 * for small inputs), found by walking frame headers and block headers (RFC 8878 §3.1).
 */
export function zstdFrameStarts(buf: Buffer): number[] {
  const starts: number[] = [];
  let p = 0;
  while (p < buf.length) {
    if (buf.readUInt32LE(p) !== 0xfd2fb528) throw new Error(`no zstd frame magic at byte ${p}`);
    starts.push(p);
    const fhd = buf[p + 4]!;
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const didFlag = fhd & 3;
    const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag]!;
    const didSize = [0, 1, 2, 4][didFlag]!;
    let q = p + 5 + (single ? 0 : 1) + didSize + fcsSize;
    for (;;) {
      const bh = buf[q]! | (buf[q + 1]! << 8) | (buf[q + 2]! << 16);
      const last = bh & 1;
      const type = (bh >> 1) & 3;
      const size = bh >>> 3;
      q += 3 + (type === 1 ? 1 : size);
      if (last) break;
    }
    p = q + (checksum ? 4 : 0);
  }
  return starts;
}
