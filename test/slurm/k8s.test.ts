/**
 * deploy/k8s manifests (no Kubernetes here): they parse, the Indexed Job's shard count agrees with
 * CODEBLOCK_SHARD_COUNT, every pod's `--shard auto` resolves to its own shard, the container args are
 * valid `codeblock analyze` / `select` command lines for the real CLI parser, and both Jobs share the
 * analysis directory through the same volume.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../src/native.js';
import { parseArgs } from '../../src/cli/args.js';
import { parseShard, resolveConfig } from '../../src/config/index.js';

const K8S = join(PACKAGE_ROOT, 'deploy', 'k8s');

interface Container {
  command: string[];
  args: string[];
  env?: Array<{ name: string; value: string }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface JobDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions: number;
    parallelism?: number;
    template: {
      spec: {
        restartPolicy: string;
        containers: Container[];
        volumes: Array<{ name: string; persistentVolumeClaim: { claimName: string } }>;
      };
    };
  };
}

const load = <T>(f: string): T => parse(readFileSync(join(K8S, f), 'utf8')) as T;

function cliOf(c: Container): { command: 'analyze' | 'select'; positionals: string[]; out: string } {
  assert.deepEqual(c.command, ['codeblock']);
  const [cmd, ...rest] = c.args;
  assert.ok(cmd === 'analyze' || cmd === 'select', `unexpected subcommand ${cmd}`);
  const parsed = parseArgs(cmd, rest);
  const cfg = resolveConfig(cmd, parsed.flags);
  assert.ok(cfg.out, `${cmd} has no -o`);
  return { command: cmd, positionals: parsed.positionals, out: cfg.out };
}

describe('deploy/k8s manifests', () => {
  const analyze = load<JobDoc>('analyze-job.yaml');
  const select = load<JobDoc>('select-job.yaml');
  const pvc = load<{ kind: string; metadata: { name: string }; spec: { accessModes: string[] } }>('pvc.yaml');

  it('analyze is an Indexed Job whose pods each resolve --shard auto to their own shard', () => {
    assert.equal(analyze.apiVersion, 'batch/v1');
    assert.equal(analyze.kind, 'Job');
    assert.equal(analyze.spec.completionMode, 'Indexed');
    assert.equal(analyze.spec.template.spec.restartPolicy, 'Never');
    const c = analyze.spec.template.spec.containers[0]!;
    const a = cliOf(c);
    assert.equal(a.command, 'analyze');
    const shardFlag = c.args.indexOf('--shard');
    assert.equal(c.args[shardFlag + 1], 'auto');
    const count = c.env?.find((e) => e.name === 'CODEBLOCK_SHARD_COUNT')?.value;
    assert.equal(Number(count), analyze.spec.completions, 'CODEBLOCK_SHARD_COUNT must equal completions');
    for (let i = 0; i < analyze.spec.completions; i++) {
      assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: String(i), CODEBLOCK_SHARD_COUNT: count }), {
        index: i,
        count: analyze.spec.completions,
      });
    }
  });

  it('select is one Job over the analyze output, on the same ReadWriteMany volume', () => {
    assert.equal(select.kind, 'Job');
    assert.equal(select.spec.completions, 1);
    const s = cliOf(select.spec.template.spec.containers[0]!);
    const a = cliOf(analyze.spec.template.spec.containers[0]!);
    assert.equal(s.command, 'select');
    assert.deepEqual(s.positionals, [a.out], 'select must read the directory analyze writes');
    const claim = (j: JobDoc) => j.spec.template.spec.volumes.map((v) => [v.name, v.persistentVolumeClaim.claimName]);
    assert.deepEqual(claim(select), claim(analyze));
    assert.equal(claim(analyze)[0]![1], pvc.metadata.name);
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteMany']);
    const mounts = (j: JobDoc) => j.spec.template.spec.containers[0]!.volumeMounts;
    assert.deepEqual(mounts(select), mounts(analyze));
    for (const p of [...a.positionals, a.out, s.out])
      assert.ok(p.startsWith(`${mounts(analyze)[0]!.mountPath}/`), `${p} is not on the shared volume`);
  });
});
