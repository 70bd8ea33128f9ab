/** The scorer's devices (ONNX Runtime execution providers), one table for the option and the scorer. */
export const DEVICES = ['cpu', 'cuda', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];
