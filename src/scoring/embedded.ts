/**
 * The embedded reference models (models/README.md) and which one `analyze` uses when no `--model` is given
 * (`--embedded-model`, docs/scoring.md "The int8 CPU model"): the fp32 export, or its int8 quantization
 * (tools/quantize) that scores faster on CPUs and agrees with it within the documented bounds.
 */
import { join } from 'node:path';
import { CodeblockError } from '../errors.js';
import { PACKAGE_ROOT } from '../native.js';
import type { Device } from './devices.js';

export const EMBEDDED_MODELS = {
  /** the fp32 export: the reference the int8 model is checked against; the default on cuda and webgpu */
  fp32: { dir: join(PACKAGE_ROOT, 'models', 'default'), file: 'model.onnx', name: 'default' },
  /**
   * int8 weights, static uint8 activations (ONNX Runtime CPU contrib ops): the default on cpu. Beside the fp32 file,
   * whose embeddings, LayerNorms and LM head it reads as ONNX external data; same tokenizer.json and config.json.
   */
  int8: { dir: join(PACKAGE_ROOT, 'models', 'default'), file: 'model.int8.onnx', name: 'default-int8' },
} as const;

export const EMBEDDED_CHOICES = ['auto', 'fp32', 'int8'] as const;
export type EmbeddedChoice = (typeof EMBEDDED_CHOICES)[number];

/**
 * The embedded model for a device: `auto` is int8 on cpu and fp32 elsewhere. `int8` on an accelerator refuses:
 * its com.microsoft integer ops would run on the CPU behind the device's back.
 */
export function resolveEmbeddedModel(
  choice: EmbeddedChoice,
  device: Device,
): { dir: string; file: string; name: string } {
  if (choice === 'int8' && device !== 'cpu')
    throw new CodeblockError(
      `--embedded-model int8 runs on the cpu only (its integer ops have no ${device} kernels): use --embedded-model ` +
        'fp32 or auto',
    );
  return EMBEDDED_MODELS[choice === 'auto' ? (device === 'cpu' ? 'int8' : 'fp32') : choice];
}
