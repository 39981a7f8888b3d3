// End to end: a bundle ships each module's bytecode in an xz pack (unpacked
// into the cache on first use) and its source only inside the xz chunks of
// .pyzap/sources, and whatever reads source still
// finds it there: tracebacks, inspect.getsource(), linecache, a loader's
// get_data(), importlib.metadata's dist.files; resources are untouched. Built
// with every CPython pyzap builds with (pyenv's 3.7 ... 3.13 here, CI's image
// has the same), from an app whose sources fill more than one chunk.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { bytecodeOf, ok, pyzap, run, tempDir } from "./helpers.js";
import { pyenvPython, pyenvVersions } from "./pythons.js";

const dir = tempDir();
const site = path.join(dir, "site");
// Each module ~32 KiB of source: twelve of them need two 256 KiB chunks.
const MODULES = 12;
const FUNCS = 300;

function writeApp(): void {
  const pkg = path.join(site, "bigapp");
  mkdirSync(path.join(pkg, "data"), { recursive: true });
  writeFileSync(path.join(pkg, "__init__.py"), "");
  for (let i = 0; i < MODULES; i++) {
    let body = "";
    for (let j = 0; j < FUNCS; j++) body += `def f${j}():\n    """Function ${j} of module ${i}, padding the source past one chunk."""\n    return ${i * 1000 + j}\n\n`;
    if (i === MODULES - 1) body += 'def boom():\n    raise ValueError("boom from the last chunk, caf\\u00e9 \u00e9")\n';
    writeFileSync(path.join(pkg, `m${String(i).padStart(2, "0")}.py`), body);
  }
  writeFileSync(path.join(pkg, "data/hello.txt"), "hello from a resource\n");
  writeFileSync(path.join(pkg, "cli.py"), "import sys\n\n\ndef main():\n    exec(sys.argv[1], {})\n");
}

// Runs inside the bundle: what a user would read back, as JSON; then a traceback.
const CHECKS = `
import inspect, json, linecache, pkgutil, sys
import bigapp.m00 as first, bigapp.m11 as last
print(json.dumps({
    "file": last.__file__,
    "first": inspect.getsource(first.f5),
    "last": inspect.getsource(last.boom),
    "linecache": linecache.getline(last.__file__, 2, last.__dict__),
    "get_data": last.__loader__.get_data(last.__file__)[:8].decode(),
    "resource": pkgutil.get_data("bigapp", "data/hello.txt").decode(),
    "version": list(sys.version_info[:2]),
}))
sys.stdout.flush()
last.boom()
`;

interface Checks {
  file: string;
  first: string;
  last: string;
  linecache: string;
  get_data: string;
  resource: string;
  version: [number, number];
}

/** Entry sizes of the bundle, read with Python's zipfile (a reader other than ours). */
function entries(pyz: string): { name: string; size: number; packed: number; method: number }[] {
  const code = "import json, sys, zipfile\nprint(json.dumps([[i.filename, i.file_size, i.compress_size, i.compress_type] for i in zipfile.ZipFile(sys.argv[1]).infolist()]))";
  const rows = JSON.parse(ok(run("python3", ["-c", code, pyz])).stdout) as [string, number, number, number][];
  return rows.map(([name, size, packed, method]) => ({ name, size, packed, method }));
}

// Where an entry's data starts in the file (after its local header).
const OFFSET = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1]); i = z.getinfo(sys.argv[2]); f = open(sys.argv[1], 'rb'); f.seek(i.header_offset + 26)\nn, m = int.from_bytes(f.read(2), 'little'), int.from_bytes(f.read(2), 'little'); print(i.header_offset + 30 + n + m)";

// Every CPython pyzap builds with: python3, and pyenv's others from 3.7 on.
const pythons: [string, string][] = [["python3", "python3"]];
for (const v of pyenvVersions()) {
  const [major, minor] = v.split(".").map(Number);
  if (major === 3 && (minor ?? 0) >= 7) pythons.push([v, pyenvPython(v)]);
}

beforeAll(() => writeApp());

/** Builds the app with `python` into `out`, once per test file. */
function build(out: string, python: string): string {
  if (!existsSync(out)) ok(pyzap(["bundle", "--site-packages", site, "-e", "bigapp.cli:main", "--python", python, "-o", out, "-q"]));
  return out;
}

describe.each(pythons)("sources in xz chunks, built and run with %s", (_label, python) => {
  const out = path.join(dir, `app-${_label}.pyz`);
  const env = { PYZAP_CACHE: path.join(dir, "cache") };

  beforeAll(() => build(out, python));

  test("the archive holds no .py nor .pyc of a compiled module: its sources in two or more chunks, its bytecode in an xz pack", () => {
    const list = entries(out);
    const names = list.map((e) => e.name);
    expect(names.filter((n) => n.startsWith("site-packages/") && (n.endsWith(".py") || n.endsWith(".pyc")))).toEqual([]);
    expect(names.filter((n) => /^\.pyzap\/sources\/\d+\.(xz|zz)$/.test(n)).length).toBeGreaterThanOrEqual(2);
    const pyc = bytecodeOf(out, python);
    expect(pyc.filter((b) => b.where === "pack")).toHaveLength(MODULES + 2);
    // Compressed: STORED bytecode would make these equal.
    const raw = pyc.reduce((n, b) => n + b.size, 0);
    const packed = list.filter((e) => e.name.startsWith(".pyzap/bytecode/") && e.name.endsWith(".xz")).reduce((n, e) => n + e.packed, 0);
    expect(packed).toBeGreaterThan(0);
    expect(packed).toBeLessThan(raw * 0.6);
  });

  test("the pack is unpacked into the cache on first use, and read from there by the next run", () => {
    const cache = path.join(dir, `cache-packs-${_label}`);
    const code = "import bigapp.m00; print(bigapp.m00.f1())";
    expect(ok(run(out, [code], { PYZAP_CACHE: cache })).stdout).toBe("1\n");
    const pyc = readdirSync(cache).filter((n) => /^pyc-[0-9a-f]{16}$/.test(n));
    expect(pyc).toHaveLength(1);
    const copies = readdirSync(path.join(cache, pyc[0]!));
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.filter((n) => n.includes(".tmp-"))).toEqual([]);
    const before = copies.map((n) => statSync(path.join(cache, pyc[0]!, n)).ino);
    expect(ok(run(out, [code], { PYZAP_CACHE: cache })).stdout).toBe("1\n");
    expect(readdirSync(path.join(cache, pyc[0]!)).map((n) => statSync(path.join(cache, pyc[0]!, n)).ino)).toEqual(before);
    // A source read (a traceback) unpacks its chunk beside the packs, once; the next run reads that copy.
    const first = run(out, [CHECKS], { PYZAP_CACHE: cache });
    const chunks = readdirSync(path.join(cache, pyc[0]!)).filter((n) => /^s\d+$/.test(n));
    expect(chunks.length).toBeGreaterThan(0);
    const again = run(out, [CHECKS], { PYZAP_CACHE: cache });
    expect(again.stderr).toBe(first.stderr);
    expect(again.stderr).toContain('    raise ValueError("boom from the last chunk, caf\\u00e9 é")\n');
    expect(readdirSync(path.join(cache, pyc[0]!)).filter((n) => /^s\d+$/.test(n))).toEqual(chunks);
  });

  test("tracebacks, inspect.getsource, linecache and get_data read the source from the chunks", () => {
    const r = run(out, [CHECKS], env);
    expect(r.status, r.stderr).toBe(1);
    const c = JSON.parse(r.stdout) as Checks;
    const file = `${out}/site-packages/bigapp/m11.py`;
    expect(c.file).toBe(file);
    expect(c.first).toBe('def f5():\n    """Function 5 of module 0, padding the source past one chunk."""\n    return 5\n');
    expect(c.last).toContain('raise ValueError("boom from the last chunk, caf\\u00e9 é")');
    expect(c.linecache).toBe('    """Function 0 of module 11, padding the source past one chunk."""\n');
    expect(c.get_data).toBe("def f0()");
    expect(c.resource).toBe("hello from a resource\n");
    expect(r.stderr).toContain(`File "${file}", line ${FUNCS * 4 + 2}, in boom\n`);
    expect(r.stderr).toContain('    raise ValueError("boom from the last chunk, caf\\u00e9 é")\n');
  });
});

describe("a damaged sources chunk", () => {
  test("costs the source lines of a traceback, never the traceback or the app", () => {
    const good = build(path.join(dir, "app-python3.pyz"), "python3");
    const bad = path.join(dir, "damaged.pyz");
    const bytes = readFileSync(good);
    // The chunk that holds m11's source is STORED: overwrite the middle of its data.
    const chunk = entries(good).filter((e) => e.name.startsWith(".pyzap/sources/") && e.name.endsWith(".xz")).at(-1)!;
    const at = Number(ok(run("python3", ["-c", OFFSET, good, chunk.name])).stdout);
    bytes.fill(0x5a, at + Math.floor(chunk.packed / 4), at + Math.floor(chunk.packed / 2));
    writeFileSync(bad, bytes, { mode: 0o755 });
    // A cache of its own: the good bundle's copy of that chunk would serve it (the same content key).
    const cache = path.join(dir, "cache-damaged");
    const r = run(bad, ["import bigapp.m00, bigapp.m11, inspect; print(inspect.getsource(bigapp.m00.f1)); bigapp.m11.boom()"], { PYZAP_CACHE: cache });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("def f1():"); // another chunk still reads
    expect(r.stderr).toContain(`File "${bad}/site-packages/bigapp/m11.py", line ${FUNCS * 4 + 2}, in boom\n`);
    expect(r.stderr).not.toContain("    raise ValueError("); // that line was in the damaged chunk
    expect(r.stderr.trim().split("\n").at(-1)).toBe("ValueError: boom from the last chunk, café é");
    // Nothing of the damaged chunk was left in the cache for a later run to read.
    const [pyc] = readdirSync(cache).filter((n) => n.startsWith("pyc-"));
    const damaged = chunk.name.replace(/^\.pyzap\/sources\/(\d+)\..*$/, "s$1");
    expect(readdirSync(path.join(cache, pyc!))).not.toContain(damaged);
  });
});

describe("the size a user downloads", () => {
  test("the whole bundle is smaller than its bytecode would be STORED", () => {
    const out = build(path.join(dir, "app-python3.pyz"), "python3");
    const pyc = [...entries(out).filter((e) => e.name.endsWith(".pyc")), ...bytecodeOf(out).filter((b) => b.where === "pack")];
    // ~400 KB of source and more bytecode, against the launcher and the
    // runtime (~0.4 MB): with STORED .pyc this fails.
    expect(statSync(out).size).toBeLessThan(pyc.reduce((n, e) => n + e.size, 0));
  });
});
