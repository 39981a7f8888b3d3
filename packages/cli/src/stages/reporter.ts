// What `pyzap bundle` tells the user while it works and when it is done:
// one line per stage (animated on a terminal, plain otherwise), then a
// summary on stdout (or JSON with --json). Colours only on a terminal and
// never with NO_COLOR (https://no-color.org).
import type { RuntimeInfo } from "../format/manifest.js";
import { humanBytes, plural } from "../util/units.js";

export interface Summary {
  output: string;
  size: number;
  launcherSize: number;
  entries: number;
  unpackedFiles: number;
  unpackedBytes: number;
  cacheKey: string | null;
  python: { requires: string; cacheTag: string; executable: string };
  platform: string;
  runtime?: RuntimeInfo;
  run: string;
}

export interface ReporterOptions {
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Reporter {
  readonly verbose: boolean;
  private readonly quiet: boolean;
  private readonly json: boolean;
  private readonly tty: boolean;
  private readonly colour: boolean;
  private current: { text: string; started: number; timer?: NodeJS.Timeout } | null = null;

  constructor(options: ReporterOptions, private readonly err: NodeJS.WriteStream = process.stderr, private readonly out: NodeJS.WriteStream = process.stdout) {
    this.quiet = !!options.quiet || !!options.json;
    this.verbose = !!options.verbose && !this.quiet;
    this.json = !!options.json;
    // Verbose streams pip's output between stage lines: no in-place redraws then.
    this.tty = !!err.isTTY && !this.verbose;
    this.colour = !!err.isTTY && !process.env.NO_COLOR;
  }

  /** Starts a stage (and ends the previous one). */
  stage(text: string): void {
    this.end();
    if (this.quiet) return;
    this.current = { text, started: Date.now() };
    if (!this.tty) {
      this.err.write(`pyzap: ${text}\n`);
      return;
    }
    let frame = 0;
    // A frame must fit on one row: `\r` only returns to the start of the
    // last row, so a wrapped line would print a new line per frame.
    const draw = () => {
      const time = seconds(Date.now() - (this.current?.started ?? 0));
      const fitted = fit(text, (this.err.columns || 80) - time.length - 4);
      this.err.write(`\r\x1b[K${this.paint("36", SPINNER[frame++ % SPINNER.length] ?? "-")} ${fitted} ${this.paint("2", time)}`);
    };
    draw();
    this.current.timer = setInterval(draw, 80);
    this.current.timer.unref();
  }

  /** A note that is not a stage (e.g. a decision worth knowing). */
  note(text: string): void {
    if (this.quiet) return;
    this.end();
    this.err.write(`pyzap: ${text}\n`);
  }

  /** Ends the running stage: on a terminal its line stays, with a tick (or a cross) and its time. */
  end(failed = false): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    if (current.timer) clearInterval(current.timer);
    const mark = failed ? this.paint("31", "✗") : this.paint("32", "✓");
    if (this.tty) this.err.write(`\r\x1b[K${mark} ${current.text} ${this.paint("2", seconds(Date.now() - current.started))}\n`);
  }

  done(summary: Summary): void {
    this.end();
    if (this.json) {
      this.out.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    if (this.quiet) return;
    const unpacked = summary.unpackedFiles === 0
      ? "nothing (pure Python: no cache entry)"
      : `${plural(summary.unpackedFiles, "file")}, ${humanBytes(summary.unpackedBytes)}, on first run (cache key ${summary.cacheKey})`;
    const rows: [string, string][] = [
      ["size", `${humanBytes(summary.size)} (launcher ${humanBytes(summary.launcherSize)} + zip)`],
      ["archive", plural(summary.entries, "entry", "entries")],
      ["unpacked", unpacked],
      ["python", `${summary.python.requires} (${summary.python.cacheTag}), built with ${summary.python.executable}`],
      ["platform", summary.platform],
      ["run it", summary.run],
    ];
    const rt = summary.runtime;
    if (rt) {
      rows.splice(4, 0, ["runtime", `CPython ${rt.version} carried (${plural(rt.files, "file")}, ${humanBytes(rt.bytes)} unpacked once, shared key ${rt.key}); target needs glibc ≥ ${rt.glibc ?? "?"}`]);
    }
    this.out.write(`${this.paint("1", `wrote ${summary.output}`)}\n${rows.map(([k, v]) => `  ${k.padEnd(9)} ${v}`).join("\n")}\n`);
  }

  private paint(code: string, text: string): string {
    return this.colour ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `text` cut to `width` characters, ending in "…" when cut. */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, Math.max(0, width)).join("") : `${chars.slice(0, width - 1).join("")}…`;
}
