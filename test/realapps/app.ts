// What one row of the real-application table says. Adding an app is adding
// one `App` to apps.ts: nothing else in the suite knows about any app.

/** One command of a row, run the same way in the bundle's work dir and the venv's. */
export interface Step {
  /** Arguments for the app (its console script / entry point). `{{URL}}` = the local server. */
  args?: string[];
  /** A command that is not the app (e.g. checks what the app made), run from the work dir. */
  cmd?: string[];
  /** Standard input. */
  stdin?: string;
}

export interface App {
  /** Row name (the report's first column). */
  name: string;
  /** Which class of zip-unsafety or packaging trick the row exercises. */
  covers: string;
  /** pip requirement arguments, as a user would type them after `pyzap bundle`. */
  install?: string[];
  /** An app of ours under fixtures/ (built as a wheel once per run); installed by name. */
  fixture?: string;
  /** Console script to bundle with `-c` (or `entry` for `-e MODULE:FUNC`). */
  script?: string;
  entry?: string;
  /** Files written into the work dir before the first step (path → text). */
  files?: Record<string, string>;
  steps: Step[];
  /** Extra environment for every step; `{{WORK}}` and `{{HOME}}` are substituted. */
  env?: Record<string, string>;
  /** Paths in the work dir whose trees (file names) must match after the steps. */
  outputs?: string[];
  /** Files in the work dir whose (normalised) contents must match after the steps. */
  show?: string[];
  /** Compare standard error too (for apps that report their results there). */
  compareStderr?: boolean;
  /** Row-specific normalisation of the transcript (timings, random ids). */
  normalize?: (text: string) => string;
  /** What the reference run must show, so a row whose app fails the same way in both places cannot pass. */
  expect: RegExp;
}
