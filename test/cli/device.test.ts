/**
 * `--device cuda|webgpu` on a machine without the device fails in one line (E_CUDA / E_WEBGPU, exit 1), before
 * any analysis file is written, never a stack trace and never a silent fallback to the CPU (issue #16). Where the
 * device does work, the run must succeed and say which device scored it (manifest `scorer.device`).
 * Real runs of the bin on examples/pool.jsonl with the embedded reference LM.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, cli } from '../helpers/cli.js';
import { Scorer } from '../../src/scoring/index.js';
import { CodeblockError } from '../../src/errors.js';

const POOL = join(EXAMPLES, 'pool.jsonl');
let work = '';
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cb-device-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Is the Vulkan loader where the dynamic loader finds it? (Without it, WebGPU must refuse before Dawn logs.) */
const vulkanLoader = (): boolean =>
  ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/lib/aarch64-linux-gnu'].some(
    (d) => existsSync(join(d, 'libvulkan.so.1')),
  );

for (const [device, code, name] of [
  ['cuda', 'E_CUDA', /CUDA execution provider unavailable.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm install codeblock-sft/],
  ['webgpu', 'E_WEBGPU', /WebGPU unavailable/],
] as const) {
  test(`--device ${device}: runs on the device, or fails in one line and writes nothing`, () => {
    const out = join(work, device);
    const r = cli(['analyze', POOL, '-o', out, '--device', device, '--no-progress', '--workers', '1']);
    if (r.status === 0) {
      // the device exists here: the analysis config names it (CPU and accelerator parts never mix)
      const files = readdirSync(out, { recursive: true }).map(String);
      const texts = files.filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(out, f), 'utf8'));
      assert.ok(
        texts.some((t) => new RegExp(`"device":\\s*"${device}"`).test(t)),
        'the analysis records the device',
      );
      return;
    }
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.split('\n').filter(Boolean);
    const ours = lines.filter((l) => l.startsWith('codeblock: '));
    assert.equal(ours.length, 1, `one codeblock line:\n${r.stderr}`);
    assert.match(ours[0]!, name);
    assert.ok(ours[0]!.includes('--device cpu'), `the line says what to do instead: ${ours[0]}`);
    assert.ok(!r.stderr.includes('    at '), `no stack trace:\n${r.stderr}`);
    if (device === 'cuda' || !vulkanLoader()) assert.equal(lines.length, 1, `nothing else on stderr:\n${r.stderr}`);
    const files = existsSync(out) ? readdirSync(out, { recursive: true }).map(String) : [];
    assert.deepEqual(
      files.filter((f) => /part-|completion/.test(f)),
      [],
      'no analysis part was written',
    );
    // the library refuses alike, with the code
    return assert.rejects(Scorer.open(undefined, { device }), (e: unknown) => {
      assert.ok(e instanceof CodeblockError && e.code === code, String(e));
      return true;
    });
  });
}

test('an unknown device is a usage error listing the valid ones', () => {
  const r = cli(['analyze', POOL, '-o', join(work, 'tpu'), '--device', 'tpu', '--no-progress']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /cpu.*cuda.*webgpu/);
  assert.ok(!r.stderr.includes('    at '));
});
