// One error hierarchy for the whole CLI. Only main.ts catches these: it prints
// "pyzap: <message>" and the hint, and exits with `exitCode`.

export type ErrorCode =
  | "USAGE"
  | "INPUT_NOT_FOUND"
  | "PYTHON_NOT_FOUND"
  | "PIP_FAILED"
  | "ENTRY_POINT"
  | "LAUNCHER_MISSING"
  | "BAD_ARCHIVE"
  | "WRITE_FAILED";

// Exit codes are part of the CLI's interface (README "Exit codes").
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  INPUT_NOT_FOUND: 3,
  PYTHON_NOT_FOUND: 4,
  PIP_FAILED: 5,
  ENTRY_POINT: 6,
  LAUNCHER_MISSING: 7,
  BAD_ARCHIVE: 8,
  WRITE_FAILED: 9,
};

export const EXIT_BUG = 70;

export class PyzapError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "PyzapError";
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}
