/**
 * Config typed once and the addon typed: CodeblockConfig is derived from the option table (the
 * compile-time checks below fail the build when it drifts), submit's scheduler flags live in the
 * table without becoming config keys, and the loaded addon has exactly the NativeAddon functions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeblockError, defaultConfig, loadConfigFile, native, OPTIONS } from '../../src/index.js';
import type { CodeblockConfig } from '../../src/index.js';
import { SELECT_KEYS, optionsFor, type ConfigKey, type SubmitFlags } from '../../src/config/options.js';
import { NATIVE_FUNCTIONS } from '../../src/addon.js';
import { cli } from '../helpers/cli.js';

// compile-time: config keys come from the table, with the table's value types
const keys: ConfigKey[] = ['budget', 'mode', 'format', 'model'];
// @ts-expect-error a scheduler flag is not a config key
const notAKey: ConfigKey = 'shards';
const sample: Pick<CodeblockConfig, 'mode' | 'format' | 'budget'> = { mode: 'full', format: ['bin'], budget: 0.1 };
// @ts-expect-error a mode outside MODES does not type-check
const badMode: Pick<CodeblockConfig, 'mode'> = { mode: 'nope' };
const flags: SubmitFlags = { shards: 4, sbatchArg: ['--qos=low'], dryRun: true };

test('every option with a default is set in defaultConfig(); scheduler flags are not config keys', () => {
  void [keys, notAKey, sample, badMode, flags];
  const d = defaultConfig() as Record<string, unknown>;
  const scheduler = optionsFor('submit');
  assert.ok(scheduler.length >= 19, 'submit flags are in OPTIONS');
  for (const o of OPTIONS) {
    if (scheduler.includes(o)) assert.ok(!(o.key in d), `${o.key} is a scheduler flag`);
    else if (o.default !== undefined) assert.deepEqual(d[o.key], o.default, o.key);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cb-typed-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), 'shards: 4\n');
    const unknownKey = (e: unknown): boolean => e instanceof CodeblockError && /unknown key "shards"/.test(e.message);
    assert.throws(() => loadConfigFile(join(dir, 'c.yaml')), unknownKey);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SELECT_KEYS are the options that change select output, and all are select options', () => {
  const select = new Set(optionsFor('select').map((o) => o.key));
  for (const k of SELECT_KEYS) assert.ok(select.has(k), k);
  for (const k of ['out', 'workers', 'progress', 'config', 'printConfig', 'waitLock']) {
    assert.ok(!(SELECT_KEYS as readonly string[]).includes(k), `${k} does not change select output`);
  }
  // the score definition's knobs change which items win (docs/scoring.md)
  for (const k of ['scoreCombine', 'rankWithin', 'uTransform', 'reachNorm', 'uShrink']) {
    assert.ok((SELECT_KEYS as readonly string[]).includes(k), `${k} changes select output`);
  }
  assert.equal(SELECT_KEYS.length, 21);
});

test('submit --help lists every scheduler flag of the table', () => {
  const help = cli(['submit', 'slurm', '--help']).stdout;
  for (const o of optionsFor('submit')) {
    const flag = `--${o.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    assert.ok(help.includes(`      ${flag}${o.arg ? ` <${o.arg}>` : ''}\n        ${o.help}\n`), flag);
  }
});

test('the loaded addon has exactly the functions of NativeAddon', () => {
  const addon = native() as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(addon).sort(), [...NATIVE_FUNCTIONS].sort());
  for (const f of NATIVE_FUNCTIONS) assert.equal(typeof addon[f], 'function', f);
});
