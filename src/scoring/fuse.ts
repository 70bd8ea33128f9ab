/**
 * Fused log-prob head: rewrites a causal LM's ONNX graph so the session returns per-token log-probs
 * `[B, T-1]` (log p(input_ids[:, t+1] | input_ids[:, ≤t])) instead of logits `[B, T, V]`.
 *
 *   ids_next = Slice(input_ids, starts=[1], ends=[INT64_MAX], axes=[1])            [B, T-1]
 *   idx      = Unsqueeze(ids_next, axes=[2])                                       [B, T-1, 1]
 *   lg       = Slice(logits, starts=[0], ends=[-1], axes=[1])                      [B, T-1, V]
 *   lg32     = Cast(lg, to=float32)        only for float16 / bfloat16 logits (fp16 exports)
 *   lsm      = LogSoftmax(lg32, axis=-1)  (so log-probs are float32 whatever the model's precision)
 *   out      = Squeeze(GatherElements(lsm, idx, axis=2), axes=[2])                 [B, T-1]
 *
 * The rewrite appends a second `graph` record to the ModelProto bytes (see onnx-proto.ts), so the source
 * model is never re-encoded. The result is cached on disk keyed by the source model's sha256.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  unlinkSync,
  readdirSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { CodeblockError } from '../errors.js';
import { ATTR, DT, GraphProto, type ModelInterface, fieldHeader, readModelInterface } from './onnx-proto.js';

/** Bump when the emitted subgraph changes: it is part of the cache key. */
export const FUSION_VERSION = 2; // 2: half-precision logits are cast to float32 before LogSoftmax
export const LOGPROBS_OUTPUT = 'codeblock_logprobs';
const P = 'codeblock_fused/';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Parse a model's interface, turning malformed bytes into a clear error. */
export function inspectModelBytes(bytes: Uint8Array, label: string): ModelInterface {
  let info: ModelInterface;
  try {
    info = readModelInterface(bytes);
  } catch (err) {
    throw new CodeblockError(
      `${label} is not a valid ONNX model (protobuf decode failed: ${(err as Error).message})`,
      'E_MODEL',
    );
  }
  if (info.inputs.length === 0 && info.outputs.length === 0) {
    throw new CodeblockError(`${label} is not a valid ONNX model (no graph inputs/outputs)`, 'E_MODEL');
  }
  return info;
}

/** Validate the causal-LM interface (optimum layout). Returns the input_ids element type. */
export function checkCausalLmInterface(info: ModelInterface, label: string): void {
  const inNames = info.inputs.map((i) => i.name);
  const outNames = info.outputs.map((o) => o.name);
  if (!inNames.includes('input_ids')) {
    throw new CodeblockError(
      `${label}: not a causal LM in optimum layout — graph inputs are [${inNames.join(', ')}], expected ` +
        'input_ids, attention_mask[, position_ids]',
      'E_MODEL_INPUTS',
    );
  }
  if (!outNames.includes('logits') && !outNames.includes(LOGPROBS_OUTPUT)) {
    throw new CodeblockError(
      `${label}: graph outputs are [${outNames.join(', ')}], expected "logits" [batch, sequence, vocab]`,
      'E_MODEL_OUTPUTS',
    );
  }
  const logits = info.outputs.find((o) => o.name === 'logits');
  if (logits?.dims && logits.dims.length !== 3) {
    throw new CodeblockError(
      `${label}: output "logits" has rank ${logits.dims.length}, expected 3 [batch, sequence, vocab]`,
      'E_MODEL_OUTPUTS',
    );
  }
  const ids = info.inputs.find((i) => i.name === 'input_ids')!;
  if (ids.elemType !== DT.INT64 && ids.elemType !== DT.INT32) {
    throw new CodeblockError(
      `${label}: input_ids has element type ${ids.elemType}, expected int64 or int32`,
      'E_MODEL_INPUTS',
    );
  }
  if (ids.dims && ids.dims.length !== 2) {
    throw new CodeblockError(
      `${label}: input_ids has rank ${ids.dims.length}, expected 2 [batch, sequence]`,
      'E_MODEL_INPUTS',
    );
  }
  for (const inp of info.inputs) {
    const known =
      inp.name === 'input_ids' ||
      inp.name === 'attention_mask' ||
      inp.name === 'position_ids' ||
      inp.name === 'use_cache_branch' ||
      isPastInput(inp.name);
    if (!known) {
      throw new CodeblockError(
        `${label}: unsupported graph input "${inp.name}" (supported: input_ids, attention_mask, position_ids, ` +
          'past_key_values.*, use_cache_branch)',
        'E_MODEL_INPUTS',
      );
    }
  }
  if (info.opset !== 0 && info.opset < 11) {
    throw new CodeblockError(
      `${label}: opset ${info.opset} is too old for the fused head (GatherElements needs opset ≥ 11); re-export ` +
        'with opset ≥ 13',
      'E_MODEL',
    );
  }
}

export function isPastInput(name: string): boolean {
  return name.startsWith('past_key_values') || name.startsWith('past.') || /^past_(key|value)/.test(name);
}

function i64Tensor(name: string, values: number[]) {
  const raw = new Uint8Array(values.length * 8);
  const dv = new DataView(raw.buffer);
  values.forEach((v, k) => dv.setBigInt64(k * 8, BigInt(v), true));
  return { name, data_type: DT.INT64, dims: [values.length], raw_data: raw };
}

/** Build the appended graph record (field 7 of ModelProto) for a model with the given interface. */
export function fusedHeadRecord(info: ModelInterface): Uint8Array {
  const logits = info.outputs.find((o) => o.name === 'logits');
  if (!logits) throw new CodeblockError('model has no "logits" output to fuse', 'E_MODEL_OUTPUTS');
  const opset = info.opset || 17;
  const axesAsInput = opset >= 13; // Unsqueeze/Squeeze take axes as an input from opset 13
  const half = logits.elemType === DT.FLOAT16 || logits.elemType === DT.BFLOAT16;
  const initializer = [
    i64Tensor(`${P}one`, [1]),
    i64Tensor(`${P}zero`, [0]),
    i64Tensor(`${P}minus_one`, [-1]),
    i64Tensor(`${P}int64_max`, [Number.MAX_SAFE_INTEGER]),
    i64Tensor(`${P}axis2`, [2]),
  ];
  const node = [
    {
      op_type: 'Slice',
      name: `${P}next_ids`,
      input: ['input_ids', `${P}one`, `${P}int64_max`, `${P}one`],
      output: [`${P}next_ids`],
    },
    axesAsInput
      ? { op_type: 'Unsqueeze', name: `${P}index`, input: [`${P}next_ids`, `${P}axis2`], output: [`${P}index`] }
      : {
          op_type: 'Unsqueeze',
          name: `${P}index`,
          input: [`${P}next_ids`],
          output: [`${P}index`],
          attribute: [{ name: 'axes', type: ATTR.INTS, ints: [2] }],
        },
    {
      op_type: 'Slice',
      name: `${P}logits_prefix`,
      input: ['logits', `${P}zero`, `${P}minus_one`, `${P}one`],
      output: [`${P}logits_prefix`],
    },
    ...(half
      ? [
          {
            op_type: 'Cast',
            name: `${P}to_f32`,
            input: [`${P}logits_prefix`],
            output: [`${P}logits_f32`],
            attribute: [{ name: 'to', type: ATTR.INT, i: DT.FLOAT }],
          },
        ]
      : []),
    {
      op_type: 'LogSoftmax',
      name: `${P}log_softmax`,
      input: [half ? `${P}logits_f32` : `${P}logits_prefix`],
      output: [`${P}log_softmax`],
      attribute: [{ name: 'axis', type: ATTR.INT, i: -1 }],
    },
    {
      op_type: 'GatherElements',
      name: `${P}gather`,
      input: [`${P}log_softmax`, `${P}index`],
      output: [`${P}gathered`],
      attribute: [{ name: 'axis', type: ATTR.INT, i: 2 }],
    },
    axesAsInput
      ? { op_type: 'Squeeze', name: `${P}squeeze`, input: [`${P}gathered`, `${P}axis2`], output: [LOGPROBS_OUTPUT] }
      : {
          op_type: 'Squeeze',
          name: `${P}squeeze`,
          input: [`${P}gathered`],
          output: [LOGPROBS_OUTPUT],
          attribute: [{ name: 'axes', type: ATTR.INTS, ints: [2] }],
        },
  ];
  const output = [
    {
      name: LOGPROBS_OUTPUT,
      type: {
        tensor_type: {
          elem_type: half ? DT.FLOAT : logits.elemType || DT.FLOAT,
          shape: { dim: [{ dim_param: 'batch_size' }, { dim_param: 'sequence_length_minus_1' }] },
        },
      },
      doc_string: 'log p(input_ids[:, t+1] | input_ids[:, <=t]) — appended by codeblock',
    },
  ];
  const body = GraphProto.encode(GraphProto.fromObject({ node, initializer, output })).finish();
  const head = fieldHeader(7, body.length);
  const rec = new Uint8Array(head.length + body.length);
  rec.set(head, 0);
  rec.set(body, head.length);
  return rec;
}

/** Append the fused head to the model bytes (no re-encoding of the source). */
export function fuseLogprobHead(modelBytes: Uint8Array, info: ModelInterface): Uint8Array {
  const rec = fusedHeadRecord(info);
  const out = new Uint8Array(modelBytes.length + rec.length);
  out.set(modelBytes, 0);
  out.set(rec, modelBytes.length);
  return out;
}

export interface PreparedModel {
  /** path of the model file to open (the source when already fused, else the cached fused copy) */
  path: string;
  info: ModelInterface;
  sourceSha256: string;
  /** 'shipped' when the source already has the fused output, 'cache-hit' | 'fused' otherwise */
  origin: 'shipped' | 'cache-hit' | 'fused';
  /**
   * Directory holding the external data files when the model has any. ONNX Runtime refuses external data
   * outside the model file's directory (symlinks included), so such a model is opened from its bytes with
   * `session.model_external_initializers_file_folder_path` pointing here.
   */
  externalDataDir?: string;
}

/** Default cache root: $CODEBLOCK_CACHE, else $XDG_CACHE_HOME/codeblock, else ~/.cache/codeblock. */
export function defaultCacheDir(): string {
  if (process.env.CODEBLOCK_CACHE) return resolve(process.env.CODEBLOCK_CACHE);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'codeblock');
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locate the model, validate its interface and return a path whose session outputs LOGPROBS_OUTPUT.
 * Cache candidates in order: `cacheDir` (or the default), `<modelDir>/.codeblock-cache`, `os.tmpdir()/codeblock-cache`.
 */
export function prepareModel(modelFile: string, cacheDir?: string): PreparedModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(modelFile);
  } catch (err) {
    throw new CodeblockError(
      `cannot read model file ${modelFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'E_MODEL',
    );
  }
  const info = inspectModelBytes(bytes, modelFile);
  checkCausalLmInterface(info, modelFile);
  const srcDir = dirname(resolve(modelFile));
  for (const loc of info.externalData) {
    const p = normalize(join(srcDir, loc));
    if (isAbsolute(loc) || !p.startsWith(srcDir + sep))
      throw new CodeblockError(`${modelFile}: external data location "${loc}" escapes the model directory`, 'E_MODEL');
    if (!existsSync(p)) throw new CodeblockError(`${modelFile}: external data file ${p} is missing`, 'E_MODEL');
  }
  const sourceSha256 = sha256(bytes);
  if (info.outputs.some((o) => o.name === LOGPROBS_OUTPUT)) {
    return {
      path: modelFile,
      info,
      sourceSha256,
      origin: 'shipped',
      ...(info.externalData.length ? { externalDataDir: srcDir } : {}),
    };
  }

  const externalDataDir = info.externalData.length ? srcDir : undefined;
  const ext = externalDataDir ? { externalDataDir } : {};
  // The key covers the source bytes and the fusion version (the fused copy never embeds external data).
  const key = sha256(Buffer.from(`${sourceSha256}\0v${FUSION_VERSION}`)).slice(0, 32);
  const candidates = [
    cacheDir ? resolve(cacheDir) : defaultCacheDir(),
    join(srcDir, '.codeblock-cache'),
    join(tmpdir(), 'codeblock-cache'),
  ];
  const fusedName = `${basename(modelFile).replace(/\.onnx$/i, '')}.fused.onnx`;
  for (const root of candidates) {
    const dir = join(root, 'fused', key);
    const target = join(dir, fusedName);
    if (existsSync(target) && statSync(target).size > bytes.length) {
      const cinfo = inspectModelBytes(readFileSync(target), target);
      if (cinfo.outputs.some((o) => o.name === LOGPROBS_OUTPUT))
        return { path: target, info: cinfo, sourceSha256, origin: 'cache-hit', ...ext };
    }
  }
  const fused = fuseLogprobHead(bytes, info);
  const fusedInfo = inspectModelBytes(fused, 'fused model');
  const errors: string[] = [];
  for (const root of candidates) {
    if (!writable(root)) {
      errors.push(`${root}: not writable`);
      continue;
    }
    const dir = join(root, 'fused', key);
    try {
      mkdirSync(dir, { recursive: true });
      const target = join(dir, fusedName);
      const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
      writeFileSync(tmp, fused);
      renameSync(tmp, target);
      return { path: target, info: fusedInfo, sourceSha256, origin: 'fused', ...ext };
    } catch (err) {
      errors.push(`${dir}: ${(err as Error).message}`);
    }
  }
  throw new CodeblockError(
    `cannot write the fused model to any cache directory (${errors.join('; ')}); pass cacheDir`,
    'E_CACHE',
  );
}

/** List cached fused models (for `cache clear`-style tooling). */
export function cachedEntries(cacheDir = defaultCacheDir()): string[] {
  const d = join(cacheDir, 'fused');
  return existsSync(d) ? readdirSync(d).sort() : [];
}
