/**
 * The data is never executed (issue 8, item 5). Records carry payloads that would create a marker
 * file if any of their code were run, imported, eval'd, shelled out, or rendered as a template — in the
 * response, the prompt, the system turn, OCI `unit_tests`, a setup.py-like snippet, notebook magics,
 * other-language fences and chat-template (Jinja) syntax. After `run`, `items` and `inspect --html`
 * over them, no marker exists, neither at the absolute marker paths nor relative to the working
 * directory, and the HTML report carries record text only as escaped data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { assertAccounting, readOutcomes } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'cb-noexec-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const M = join(work, 'markers');
const CWD = join(work, 'cwd');
mkdirSync(M);
mkdirSync(CWD);

const F = '```';
const py = (code: string): string => `Here is the code.\n\n${F}python\n${code}\n${F}\n\nThat is all.`;
const m = (n: number | string): string => join(M, `m${n}`);

const TESTS_OK = JSON.stringify(['pass', 'pass']);

/** [id, record fields]. Every payload names its own marker. */
const PAYLOADS: Array<[string, Record<string, unknown>]> = [
  [
    'os-system',
    {
      input: 'Clean up temp files.',
      output: py(`import os\n\ndef cleanup():\n    os.system("touch ${m(1)}")\n\ncleanup()`),
    },
  ],
  [
    'open-write',
    {
      input: 'Write a log.',
      output: py(`with open("${m(2)}", "w") as fh:\n    fh.write("pwned")\nopen("m2-rel", "w").write("x")`),
    },
  ],
  ['dunder-import', { input: 'Dynamic import.', output: py(`mod = __import__("os")\nmod.system("touch ${m(3)}")`) }],
  [
    'subprocess',
    {
      input: 'Run a command.',
      output: py(
        `import subprocess\nresult = subprocess.run(["touch", "${m(4)}"], check=True)\nsubprocess.call("touch ` +
          'm4-rel", shell=True)',
      ),
    },
  ],
  [
    'setup-py',
    {
      input: 'Write setup.py.',
      output:
        `${F}python\n# setup.py\nimport pathlib\nfrom setuptools import setup\n\n` +
        `pathlib.Path("${m(5)}").write_text("installed")\nsetup(name="evil", version="0.1")\n${F}`,
    },
  ],
  [
    'unit-tests',
    {
      input: 'Add two numbers.',
      output: py('def add(a, b):\n    return a + b'),
      unit_tests: JSON.stringify([
        `import os; os.system('touch ${m(6)}')`,
        `assert open('${m('6b')}', 'w').write('x') == 1`,
        'assert add(1, 2) == 3',
      ]),
    },
  ],
  [
    'prompt-payload',
    {
      input: `Fix this:\n${F}python\nopen("${m(7)}", "w").write("x")\n${F}`,
      output: py('def fixed(x):\n    return x * 2'),
    },
  ],
  [
    'main-guard',
    {
      input: 'Script entry point.',
      output: py(`import shutil\n\nif __name__ == "__main__":\n    shutil.copy("/etc/hostname", "${m(8)}")`),
    },
  ],
  [
    'eval-exec',
    {
      input: 'Evaluate.',
      output: py(
        `code = compile("open('${m(9)}', 'w').write('x')", "<s>", "exec")\nexec(code)\n` +
          `eval("__import__('os').mkdir('${m('9b')}')")`,
      ),
    },
  ],
  [
    'shell-fence',
    { input: 'Shell.', output: `${F}bash\ntouch ${m(10)}\necho pwned > m10-rel\n${F}\n\n${F}python\nx = 1\n${F}` },
  ],
  [
    'js-fence',
    { input: 'JS.', output: `${F}js\nrequire("fs").writeFileSync("${m(11)}", "x");\n${F}\n\n${F}python\ny = 2\n${F}` },
  ],
  [
    'notebook-magic',
    { input: 'Notebook.', output: `${F}python\n!touch ${m(12)}\n%%bash\ntouch ${m('12b')}\nz = 3\n${F}` },
  ],
  [
    'jinja-in-prompt',
    {
      input:
        `{{ cycler.__init__.__globals__.os.popen('touch ${m(13)}').read() }} {% for x in ` +
        '[].__class__.__base__.__subclasses__() %}{% endfor %}',
      output: py('def j():\n    return "{{ 7 * 7 }}"'),
    },
  ],
  [
    'jinja-in-response',
    {
      input: 'Template.',
      output: py(`tpl = "{{ self.__init__.__globals__.__builtins__.open('${m(14)}', 'w') }}"\nresult = tpl`),
    },
  ],
  [
    'pickle-load',
    {
      input: 'Load data.',
      output: py(
        `import pickle, base64\npayload = ` +
          `base64.b64decode("gASVIAAAAAAAAACMAm9zlIwGc3lzdGVtlJOUjAV0b3VjaJSFlFKULg==")\npickle.loads(payload)\n` +
          `open("${m(15)}", "w")`,
      ),
    },
  ],
  [
    'import-hook',
    {
      input: 'Site customize.',
      output: py(`# sitecustomize.py\nimport atexit\natexit.register(lambda: open("${m(16)}", "w").write("x"))`),
    },
  ],
  // markup for the HTML report (`inspect --html`): must come out escaped, never as live markup
  [
    'html-payload',
    {
      input: 'Render <img src=x onerror=alert(1)> here',
      output:
        `Use this </script><script>alert(2)</script>\n\n${F}python\nhtml = "<script>alert(3)</script>"\n` +
        `print(html)\n${F}`,
    },
  ],
  ['"><svg onload=alert(4)>', { input: 'Id payload.', output: py('def ident(x):\n    return x') }],
];

const records = PAYLOADS.map(([id, f]) => ({
  id,
  llm_judgement: '{}',
  tests_execution_status: TESTS_OK,
  average_test_score: '1',
  ...f,
}));
const chat = {
  id: 'chat-system-payload',
  messages: [
    { role: 'system', content: `{{ raise_exception(cycler.__init__.__globals__.os.popen('touch ${m(17)}').read()) }}` },
    { role: 'user', content: `Run: __import__('os').system('touch ${m(18)}')` },
    { role: 'assistant', content: py(`import os\nos.remove("/nonexistent")\nos.system("touch ${m(19)}")`) },
  ],
};

test('no code from the data runs: run, items, inspect leave no marker; the HTML report escapes record text', () => {
  const pool = join(work, 'payloads.jsonl');
  const chatPool = join(work, 'chat.jsonl');
  writeFileSync(pool, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(chatPool, `${JSON.stringify(chat)}\n`);
  const out = join(work, 'out');
  const env = { HOME: CWD, PYTHONSTARTUP: '', TMPDIR: work };
  const r = cli(
    ['run', pool, chatPool, '-o', out, '--budget', '1', '--format', 'jsonl,parquet', '--no-progress', '--workers', '2'],
    { cwd: CWD, env },
  );
  assert.equal(r.status, 0, r.stderr);
  const it = cli(['items', pool, chatPool, '--no-progress'], { cwd: CWD, env });
  assert.equal(it.status, 0, it.stderr);

  // the payloads really went through the pipeline (analyzed, most selected)
  const o = readOutcomes(out);
  assertAccounting(o, 'payload run');
  assert.equal(o.manifest.counts.input, records.length + 1);
  assert.equal(o.manifest.counts.quarantined, 0);
  const shard = join(out, 'analysis', readdirSync(join(out, 'analysis'))[0]!);
  const analyzed = readdirSync(shard)
    .filter((f) => f.endsWith('.records.jsonl.gz'))
    .flatMap((f) =>
      gunzipSync(readFileSync(join(shard, f)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean),
    );
  assert.ok(analyzed.length >= records.length - 2, `only ${analyzed.length} payload records were analyzed`);
  assert.ok(o.sampleCount >= records.length - 4, `only ${o.sampleCount} payload records were selected`);
  assert.equal(it.stdout.split('\n').filter(Boolean).length, records.length + 1, 'items printed one line per record');

  // the HTML report embeds record text as data (escaped), never as markup or script
  const report = join(work, 'report.html');
  const ins = cli(['inspect', out, '--html', report], { cwd: CWD, env });
  assert.equal(ins.status, 0, ins.stderr);
  const html = readFileSync(report, 'utf8');
  assert.ok(html.includes('alert(3)'), 'the payload sample is in the report');
  for (const live of ['<script>alert', '<img src=x onerror', '<svg onload', '</script><script>alert(2)'])
    assert.ok(!html.includes(live), `live markup from the data in the HTML report: ${live}`);

  assert.deepEqual(readdirSync(M), [], 'a payload wrote its marker: data was executed');
  assert.deepEqual(
    readdirSync(CWD).filter((f) => /^m\d|rel/.test(f)),
    [],
    'a payload wrote a relative marker',
  );
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]) assert.ok(!existsSync(m(n)));
});
