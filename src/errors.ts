/**
 * A user-facing error: the CLI prints its message as one line and exits non-zero, never a stack.
 * Library callers can switch on `code`.
 */
export class CodeblockError extends Error {
  readonly code: string;
  constructor(message: string, code = 'E_USAGE') {
    super(message);
    this.name = 'CodeblockError';
    this.code = code;
  }
}

export function isCodeblockError(err: unknown): err is CodeblockError {
  return err instanceof CodeblockError;
}
