// One error hierarchy for the whole CLI. Only main.ts catches these: it prints
// "pyzap: <message>" and the hint, and exits with `exitCode`.

export type ErrorCode =
  | "USAGE"
  | "INPUT_NOT_FOUND"
  | "BUILD_PYTHON"
  | "PIP_FAILED"
  | "ENTRY_POINT"
  | "INSTALL_INCOMPLETE"
  | "BAD_ARCHIVE"
  | "WRITE_FAILED"
  | "PLATFORM"
  | "ZIP_TOO_BIG"
  | "PYTHON_NOT_RELOCATABLE"
  | "NOT_A_BUNDLE"
  | "CORRUPT_BUNDLE"
  | "INPUT_IS_DIRECTORY"
  | "NO_CACHE"
  | "ENTRY_BUSY"
  | "VERIFY_FAILED";

// Exit codes are part of the CLI's interface (README "Exit codes").
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  INPUT_NOT_FOUND: 3,
  BUILD_PYTHON: 4,
  PIP_FAILED: 5,
  ENTRY_POINT: 6,
  INSTALL_INCOMPLETE: 7,
  BAD_ARCHIVE: 8,
  WRITE_FAILED: 9,
  PLATFORM: 10,
  ZIP_TOO_BIG: 11,
  PYTHON_NOT_RELOCATABLE: 12,
  // inspect and cache (20-29)
  NOT_A_BUNDLE: 20,
  CORRUPT_BUNDLE: 21,
  INPUT_IS_DIRECTORY: 22,
  NO_CACHE: 23,
  ENTRY_BUSY: 24,
  VERIFY_FAILED: 25,
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
