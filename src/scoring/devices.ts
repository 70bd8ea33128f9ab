/** The scorer's devices (ONNX Runtime execution providers), one table for the option and the scorer. */
export const DEVICES = ['cpu', 'cuda', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];

/**
 * Padded tokens per `session.run` when `--score-batch-tokens` is 0 (the default), by device. On CPU small batches
 * are both faster and far smaller: ONNX Runtime's arena grows with the largest batch's attention and logits
 * tensors (measured with the default model, 1,000 generated records: 1024 tokens 501 MiB peak RSS and 24.5 s,
 * 8192 tokens 1,491 MiB and 31.6 s; the scores are identical). Accelerators want large batches.
 */
export const DEVICE_BATCH_TOKENS: Readonly<Record<Device, number>> = { cpu: 1024, cuda: 16384, webgpu: 16384 };

/** The batch size in padded tokens: the option when set (> 0), else the device's default. */
export function scoreBatchTokensFor(device: Device, option: number): number {
  return option > 0 ? option : DEVICE_BATCH_TOKENS[device];
}
