/**
 * The direct (interpreter-free) chat template renderers of src/tokenize/template.ts against the
 * @huggingface/jinja render of the same template source: byte for byte on every record of ../shared/data
 * and on edge cases, and the located response identical.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChatTemplate, TargetTokenizer } from '../../src/tokenize/index.js';
import { readRecords } from '../../src/io/index.js';
import { PACKAGE_ROOT } from '../../src/native.js';
import type { ChatMessage } from '../../src/types.js';

const SHARED = resolve(PACKAGE_ROOT, '..', 'shared', 'data');

let direct: ChatTemplate;
/** The same source and special tokens, plus a variable the template never reads: always rendered by Jinja. */
let jinja: ChatTemplate;

before(async () => {
  const tok = await TargetTokenizer.load('qwen2.5');
  direct = tok.chatTemplate!;
  jinja = new ChatTemplate(direct.source, { variables: { ...tok.specialTokens, codeblock_unused: 1 } });
  assert.ok((direct as unknown as { direct?: unknown }).direct, 'the Qwen2.5 template has a direct renderer');
  assert.equal((jinja as unknown as { direct?: unknown }).direct, undefined, 'extra variables mean Jinja');
});

async function sharedConversations(): Promise<{ prompt: ChatMessage[]; response: string }[]> {
  const files = existsSync(SHARED)
    ? readdirSync(SHARED)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => join(SHARED, f))
    : [];
  const out: { prompt: ChatMessage[]; response: string }[] = [];
  for await (const ev of readRecords(files)) {
    if (ev.type === 'record') out.push({ prompt: ev.record.prompt, response: ev.record.response });
  }
  return out;
}

function same(prompt: ChatMessage[], response: string): void {
  const msgs = [...prompt, { role: 'assistant', content: response }];
  assert.equal(direct.render(msgs), direct.renderJinja(msgs));
  assert.equal(direct.render(msgs), jinja.render(msgs));
  let want: unknown;
  let got: unknown;
  try {
    want = jinja.renderConversation(prompt, response);
  } catch (err) {
    want = (err as Error).message;
  }
  try {
    got = direct.renderConversation(prompt, response);
  } catch (err) {
    got = (err as Error).message;
  }
  assert.deepEqual(got, want);
}

test('Qwen2.5 direct render equals the Jinja render on every ../shared/data record', async (t) => {
  const convs = await sharedConversations();
  if (convs.length === 0) return t.skip('../shared/data not found');
  assert.ok(convs.length > 3000, `expected the ~3,100 shared records, read ${convs.length}`);
  for (const c of convs) same(c.prompt, c.response);
  // with the shared prompts behind a system turn, and as a second user turn
  for (const c of convs.slice(0, 200)) {
    same([{ role: 'system', content: 'Be terse.' }, ...c.prompt], c.response);
    same([...c.prompt, { role: 'assistant', content: 'ok' }, ...c.prompt], c.response);
  }
});

test('Qwen2.5 direct render equals Jinja on edge cases (roles, empty turns, template-like text)', () => {
  const cases: Array<[ChatMessage[], string]> = [
    [[], 'x = 1'],
    [[{ role: 'system', content: 'S' }], 'r'],
    [
      [
        { role: 'system', content: '' },
        { role: 'user', content: '' },
      ],
      'r',
    ],
    [
      [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'mid' },
        { role: 'user', content: 'b' },
      ],
      'r',
    ],
    [[{ role: 'user', content: '{{ messages }} {% if x %}<|im_end|>\n' }], '{%- endfor %}\r\n\n'],
    [[{ role: 'user', content: '😀 \uD800 中文' }], '  \n leading and trailing whitespace \n '],
    [[{ role: 'tool', content: 'tool output' }], 'r'],
    [
      [
        { role: 'user', content: 'q' },
        { role: 'tool', content: 't1' },
        { role: 'tool', content: 't2' },
      ],
      'r',
    ],
    [[{ role: 'human', content: 'unknown role' }], 'r'],
    [[{ role: 'user', content: '\uE000codeblock\uE001response\uE002' }], 'r'],
    [[{ role: 'user', content: 'q' }], ''],
  ];
  for (const [p, r] of cases) same(p, r);
  // content that is not a string goes through Jinja (its own coercion), directly or not
  for (const content of [undefined, null, 42, ['a']]) {
    const msgs = [{ role: 'user', content }] as unknown as ChatMessage[];
    const want = (() => {
      try {
        return jinja.render(msgs);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    const got = (() => {
      try {
        return direct.render(msgs);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    assert.equal(got, want);
  }
  // add_generation_prompt goes through Jinja
  const gen = [{ role: 'user', content: 'hi' }];
  assert.equal(direct.render(gen, true), jinja.render(gen, true));
  assert.ok(direct.render(gen, true).endsWith('<|im_start|>assistant\n'));
});

test('a template source that differs from a known one by one character is rendered by Jinja', () => {
  const edited = new ChatTemplate(`${direct.source} `);
  assert.equal((edited as unknown as { direct?: unknown }).direct, undefined);
  const tools = new ChatTemplate(direct.source, { variables: { tools: [{ name: 'f' }] } });
  assert.equal((tools as unknown as { direct?: unknown }).direct, undefined);
  assert.ok(tools.render([{ role: 'user', content: 'q' }]).includes('# Tools'));
});
