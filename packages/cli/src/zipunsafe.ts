// Which top-level packages cannot run from inside the zip and must be unpacked
// whole into the cache entry (`KEY/site/PKG/...`, ahead of the archive on
// sys.path): code that derives file-system paths from `__file__`
// (`os.path.dirname(__file__)`, `Path(__file__).parent`) to reach files the
// package ships. Such a path points into the archive, where `open()` fails.
// A heuristic by design: `--unpack PKG` and `--zip PKG` override it.
import { readFileSync } from "node:fs";
import { PyzapError } from "./errors.js";
import type { TreeFile } from "./walk.js";

export interface UnpackOptions {
  /** Top-level packages (or distribution names) to unpack whole whatever the scan says. */
  unpack?: string[];
  /** Top-level packages (or distribution names) to keep zipped whatever the scan says. */
  zip?: string[];
  /** Unpack every top-level package and module (shiv's behaviour). */
  unpackAll?: boolean;
}

export interface FileUse {
  file: string; // site-packages relative, "pkg/util.py"
  line: number; // 1-based
  /** What the line does, for the reason: "derives a path from __file__". */
  what: string;
}

/** "module": an importable extension module; "other": any other ELF file; null: not native. */
export type NativeKind = "module" | "other" | null;

export interface PackageDecision {
  name: string; // top-level import name
  unpacked: boolean;
  /** One line for `pyzap inspect`, e.g. "zip-unsafe: pkg/util.py:12 derives a path from __file__ and pkg ships data files". */
  reason: string;
  fileUse: FileUse | null;
}

// A bare `__file__` (not `mod.__file__`, not inside a word or a string key).
const FILE_USE = /(?<![\w.'"])__file__(?![\w'"])/;
// ...on a line that builds a path from it (possibly nested calls before it).
const PATH_CALL = /\b(?:dirname|abspath|realpath|normpath|split|join|Path|PurePath|PosixPath|open)\s*\(/;
// Frameworks that find a package's templates and static files through the
// module's __file__ (Flask's root_path) when given its __name__.
const FRAMEWORK_USE = /\b(?:Flask|Blueprint|Quart)\s*\(\s*__name__/;
// Files that are not "data the code reads at run time": Python sources, stubs,
// bytecode and markers; C/Cython/Fortran sources, headers, static libraries
// and build files (numpy ships hundreds, for compiling against it); licences
// and docs. A package whose only non-code files are these stays zipped even if
// its build helpers look at __file__.
const NOT_DATA = [
  /\.(?:py|pyc|pyi|pxd|pyx|pxi|c|h|cc|cpp|cxx|hpp|f|f90|f77|a|lib|pc|md|rst)$/i,
  /(?:^|\/)(?:py\.typed|setup\.cfg|meson\.build[^/]*|CMakeLists\.txt)$/,
  /(?:^|\/)(?:LICEN[CS]E|COPYING|AUTHORS|NOTICE|README|CHANGE|[A-Z_]*CHANGES)[^/]*$/i,
  /(?:^|\/)(?:include|pkgconfig|npy-pkg-config)\//,
];
const isData = (rel: string) => !SKIP_DIR.test(rel) && !NOT_DATA.some((re) => re.test(rel));
// Test suites locate fixtures through __file__ but do not run in the app.
const SKIP_DIR = /(?:^|\/)tests?\/|(?:^|\/)conftest\.py$/;
const META_DIR = /\.(?:dist-info|egg-info|data)$/;

/** The top-level import name a site-packages file belongs to, or null (metadata, bin, .pth...). */
export function topLevelName(rel: string): string | null {
  const slash = rel.indexOf("/");
  if (slash >= 0) {
    const dir = rel.slice(0, slash);
    return META_DIR.test(dir) ? null : dir;
  }
  const m = /^([\p{ID_Start}_][\p{ID_Continue}]*)\.py$/u.exec(rel);
  return m?.[1] ?? null;
}

/** First line in a .py that derives a path from `__file__`, or null. */
export function findFileUse(file: TreeFile): FileUse | null {
  let text: string;
  try {
    text = readFileSync(file.abs, "utf8");
  } catch {
    return null;
  }
  if (!text.includes("__file__") && !text.includes("__name__")) return null;
  // Only code counts: a docstring showing `os.path.dirname(__file__)` (as
  // werkzeug's does) must not unpack the package.
  const lines = codeOnly(text).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (FILE_USE.test(line) && PATH_CALL.test(line)) return { file: file.rel, line: i + 1, what: "derives a path from __file__" };
    if (FRAMEWORK_USE.test(line)) return { file: file.rel, line: i + 1, what: "gives __name__ to a framework that finds files through __file__" };
  }
  return null;
}

/**
 * Python source with the insides of string literals and comments blanked
 * (newlines kept, so line numbers still match). Quotes are kept, so
 * `Flask(__name__)` still reads as code; an f-string's expressions are
 * blanked too, which can only hide a use, never invent one.
 */
export function codeOnly(text: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") out.push(text[i++] === "\t" ? "\t" : " ");
    } else if (c === "'" || c === '"') {
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      out.push(quote);
      i += quote.length;
      while (i < text.length && !text.startsWith(quote, i)) {
        if (quote.length === 1 && text[i] === "\n") break; // unterminated: stop at the line's end
        if (text[i] === "\\" && i + 1 < text.length) {
          out.push(" ", text[i + 1] === "\n" ? "\n" : " ");
          i += 2;
          continue;
        }
        out.push(text[i] === "\n" ? "\n" : " ");
        i++;
      }
      if (text.startsWith(quote, i)) {
        out.push(quote);
        i += quote.length;
      }
    } else {
      out.push(c);
      i++;
    }
  }
  return out.join("");
}

/**
 * Decide, for each top-level package, whether it is unpacked whole: it is
 * when a .py outside its tests derives a path from `__file__` and it ships
 * data files or native files that are not importable extension modules.
 * Returns only the packages with a decision worth reporting (unpacked, or
 * detected but kept zipped by `--zip`), sorted by name.
 */
export function decidePackages(files: TreeFile[], nativeKind: (f: TreeFile) => NativeKind, options: UnpackOptions = {}): PackageDecision[] {
  const groups = new Map<string, TreeFile[]>();
  for (const f of files) {
    const name = topLevelName(f.rel);
    if (name === null) continue;
    let group = groups.get(name);
    if (!group) groups.set(name, (group = []));
    group.push(f);
  }
  const unpack = new Set(resolveNames(options.unpack ?? [], "--unpack", groups, files));
  const zip = new Set(resolveNames(options.zip ?? [], "--zip", groups, files));
  for (const name of unpack) {
    if (zip.has(name)) {
      throw new PyzapError("USAGE", `${name} is named by both --unpack and --zip`, { hint: "keep one of the two options for it" });
    }
  }

  const decisions: PackageDecision[] = [];
  for (const [name, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (unpack.has(name)) {
      decisions.push({ name, unpacked: true, reason: `unpacked whole: --unpack ${name}`, fileUse: null });
      continue;
    }
    const isDir = group.some((f) => f.rel.includes("/"));
    const use = isDir ? firstUse(group) : null;
    // Extension modules are served by the import system from the cache and
    // need no __file__; other native files (an Apache module, a helper
    // program) are found through paths, like data.
    const shipsData = group.some((f) => {
      const kind = nativeKind(f);
      return kind === "other" || (kind === null && isData(f.rel));
    });
    const detected = use !== null && shipsData;
    const why = use ? `${use.file}:${use.line} ${use.what} and ${name} ships data or native files` : "";
    if (zip.has(name)) {
      decisions.push({ name, unpacked: false, reason: `kept zipped: --zip ${name}${detected ? ` (although ${why})` : ""}`, fileUse: use });
    } else if (options.unpackAll) {
      decisions.push({ name, unpacked: true, reason: "unpacked whole: --unpack-all", fileUse: use });
    } else if (detected) {
      decisions.push({ name, unpacked: true, reason: `zip-unsafe: ${why}`, fileUse: use });
    }
  }
  return decisions;
}

function firstUse(group: TreeFile[]): FileUse | null {
  for (const f of group) {
    if (!f.rel.endsWith(".py") || SKIP_DIR.test(f.rel)) continue;
    const use = findFileUse(f);
    if (use) return use;
  }
  return null;
}

// `--unpack X` takes a top-level import name or a distribution name (its
// RECORD says which top-level names it installed).
function resolveNames(names: string[], option: string, groups: Map<string, TreeFile[]>, files: TreeFile[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (groups.has(name)) {
      out.push(name);
      continue;
    }
    const fromDist = topLevelsOfDistribution(name, files).filter((n) => groups.has(n));
    if (fromDist.length === 0) {
      const known = [...groups.keys()].sort().join(", ");
      throw new PyzapError("INPUT_NOT_FOUND", `${option} ${name}: no top-level package or distribution of that name is in the bundle`, {
        hint: `the bundle's top-level packages are: ${known || "(none)"}`,
      });
    }
    out.push(...fromDist);
  }
  return out;
}

const normalize = (s: string) => s.replace(/[-_.]+/g, "_").toLowerCase();

function topLevelsOfDistribution(dist: string, files: TreeFile[]): string[] {
  const want = normalize(dist);
  const record = files.find((f) => {
    const m = /^([^/]+)-[^/-]+\.dist-info\/RECORD$/.exec(f.rel);
    return m?.[1] !== undefined && normalize(m[1]) === want;
  });
  if (!record) return [];
  const names = new Set<string>();
  for (const line of readFileSync(record.abs, "utf8").split("\n")) {
    const rel = line.split(",")[0] ?? "";
    if (rel.startsWith("..") || rel.startsWith("/")) continue;
    const name = topLevelName(rel);
    if (name !== null && name !== "__pycache__") names.add(name);
  }
  return [...names].sort();
}
