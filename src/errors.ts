/**
 * A user-facing error: the CLI prints its message as one line and exits non-zero, never a stack.
 * Library callers can switch on `code`; every code is listed, with its meaning, exit code and what
 * to do, in docs/troubleshooting.md (a test keeps the two in step).
 */

/** Every error code, with the CLI exit code it maps to (2: usage error, 1: failure while running). */
export const ERROR_EXIT_CODES = {
  E_USAGE: 2,
  E_INPUT: 1,
  E_ANALYSIS: 1,
  E_FORMAT: 1,
  E_OUTPUT: 1,
  E_MODEL: 1,
  E_MODEL_INPUTS: 1,
  E_MODEL_OUTPUTS: 1,
  E_MODEL_RUN: 1,
  E_CUDA: 1,
  E_WEBGPU: 1,
  E_CACHE: 1,
  E_TOKENIZER: 1,
  E_TEMPLATE: 1,
  E_NATIVE: 1,
  E_SLURM: 1,
  E_UNAVAILABLE: 1,
  E_ACCOUNTING: 1,
  E_LOCKED: 1,
  E_INTERNAL: 1,
} as const satisfies Record<`E_${string}`, 1 | 2>;

/** The one union of error codes a {@link CodeblockError} can carry. */
export type ErrorCode = keyof typeof ERROR_EXIT_CODES;

/** Exit code of any error that is not a {@link CodeblockError} (a bug: the CLI prints its stack). */
export const INTERNAL_EXIT_CODE = 70;

export class CodeblockError extends Error {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode = 'E_USAGE') {
    super(message);
    this.name = 'CodeblockError';
    this.code = code;
  }

  /** The CLI exit code of this error (see docs/troubleshooting.md). */
  get exitCode(): 1 | 2 {
    return ERROR_EXIT_CODES[this.code];
  }
}

export function isCodeblockError(err: unknown): err is CodeblockError {
  return err instanceof CodeblockError;
}
