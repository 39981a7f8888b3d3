// The zip-safety analysis (packages/cli/helpers/zipsafety.py, run by the
// build helper) and the per-package decision built on it, one small
// synthetic package per pattern: each way code reaches its own files by
// path, each harmless use, and the false positives users measured on black,
// isort, pandas, scipy and pylint. Runs the real helper, no bundle: once for
// the whole file (every tree is written while the tests are collected).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { helperPath } from "../../packages/cli/src/util/helper.js";
import { pyenvPythonsMatching } from "../pythons.js";
import { ScanBatch, writeTree } from "./scan-tree.js";

const DATA = { "pkg/data/x.txt": "x\n" };

const scans = new ScanBatch();
const scanTree = (files: Record<string, string>) => scans.add(files);
beforeAll(() => scans.run(), 120_000);

/** Findings of one module `pkg/__init__.py` (plus a data file) as [line, kind, target, certain]. */
function findingsOf(code: string) {
  const scanned = scanTree({ "pkg/__init__.py": code, ...DATA });
  return () => scanned().findings.filter(([file]) => file === "pkg/__init__.py").map(([, line, kind, target, certain]) => [line, kind, target, certain]);
}

describe("code that needs its package as real files is found", () => {
  const throughGlobal = findingsOf('import os\nHERE = os.path.dirname(os.path.abspath(__file__))\ndef read():\n    return open(os.path.join(HERE, "data", "x.txt")).read()\n');
  test("open() of os.path.join(os.path.dirname(__file__), ...), through a module global", () => {
    expect(throughGlobal()).toEqual([
      [2, "path", "", false], // the global escapes: other modules may import it
      [4, "path", "", true],
    ]);
  });

  const pathlib = findingsOf('from pathlib import Path as P\ndef read():\n    base = P(__file__).parent\n    return (base / "data" / "x.txt").read_text()\n');
  test("pathlib: Path(__file__).parent / 'x' read_text(), with from-imports and aliases", () => {
    expect(pathlib()).toEqual([[4, "path", "", true]]);
  });

  const sphinx = scanTree({ "pkg/__init__.py": "from pkg._pathlib import _StrPath\npackage_dir = _StrPath(__file__).resolve().parent\n", "pkg/_pathlib.py": "class _StrPath(str): pass\n", ...DATA });
  test("sphinx: a wrapper call the scan cannot follow, _StrPath(__file__).resolve().parent", () => {
    const scanned = sphinx();
    expect(scanned.findings).toEqual([
      ["pkg/__init__.py", 2, "path", "", false],
      ["pkg/__init__.py", 2, "path", "", false],
    ]);
    const decision = scanned.decide().get("pkg");
    expect(decision?.runsFrom).toBe("cache");
    expect(decision?.reason).toBe(
      "unpacked whole: pkg/__init__.py:2 passes to pkg._pathlib._StrPath() a path derived from __file__ (the scan cannot follow it: unpacked to be safe), and pkg ships data files",
    );
  });

  const alembic = findingsOf("import pkg\nfrom pathlib import Path\nclass Config:\n    def template_dir(self):\n        return Path(pkg.__file__).absolute().parent / 'templates'\n");
  test("alembic: the module attribute __file__ of its own package, returned from a method", () => {
    expect(alembic()).toEqual([[5, "path", "", false]]);
  });

  const relativeImport = scanTree({ "pkg/__init__.py": "", "pkg/sub/__init__.py": "from .. import ext\nimport os\nnames = os.listdir(os.path.dirname(ext.__file__))\n", "pkg/ext/__init__.py": "" });
  test("a submodule's __file__ through a relative import counts for the package", () => {
    const scanned = relativeImport();
    // (the listing's result is names, not a path: `names` is not a finding)
    expect(scanned.findings).toEqual([["pkg/sub/__init__.py", 3, "listing", "", true]]);
  });

  const pluginLoader = scanTree({
    "pkg/__init__.py": "",
    "pkg/checkers/__init__.py": "from pkg.utils import register_plugins\ndef initialize(linter):\n    register_plugins(linter, __path__[0])\n",
    "pkg/utils.py": "def register_plugins(linter, directory): pass\n",
  });
  test("pylint: __path__[0] handed to a plugin loader is a directory listing, unpacked even without data", () => {
    const scanned = pluginLoader();
    expect(scanned.findings).toEqual([["pkg/checkers/__init__.py", 3, "listing", "", false]]);
    // (Handed to a call: the callee may take it anywhere, so not just pkg/checkers/.)
    expect(scanned.decide().get("pkg")?.reason).toMatch(/^unpacked whole: pkg\/checkers\/__init__\.py:3 .*; a directory listing needs the package on disk$/);
  });

  const opencv = findingsOf(
    [
      "import os",
      "def bootstrap():",
      "    LOADER_DIR = os.path.dirname(os.path.abspath(os.path.realpath(__file__)))",
      "    def load_first_config(fnames):",
      "        for fname in fnames:",
      "            fpath = os.path.join(LOADER_DIR, fname)",
      "            if not os.path.exists(fpath):",
      "                continue",
      "    load_first_config(['config.py'])",
      "    return os.listdir(LOADER_DIR)",
      "",
    ].join("\n"),
  );
  test("opencv: a loader that exec()s config files found next to __file__", () => {
    // The nested function's use of LOADER_DIR is out of sight; the listing is not.
    expect(opencv()).toEqual([[10, "listing", "", true]]);
  });

  const specOrigin = findingsOf("import os, sys\na = open(os.path.join(os.path.dirname(__spec__.origin), 'x'))\nb = open(sys.modules[__name__].__file__ + '.txt')\n");
  test("__spec__.origin and sys.modules[__name__].__file__ are the module's location too", () => {
    expect(specOrigin().filter(([, , , certain]) => certain)).toEqual([
      [2, "path", "", true],
      [3, "path", "", true],
    ]);
  });

  const fStrings = findingsOf('import os\ndef read():\n    here = os.path.dirname(\n        __file__\n    )\n    with open(f"{here}/data/x.txt") as f:\n        return f.read()\n');
  test("f-strings and continuation lines (the old tokenizer missed both)", () => {
    expect(fStrings()).toEqual([[6, "path", "", true]]);
  });

  const flask = scanTree({ "app/__init__.py": "from flask import Flask, Blueprint\napp = Flask(__name__)\nbp = Blueprint('bp', __name__)\n", "app/templates/index.html": "<p>hi</p>\n" });
  test("Flask(__name__) and Blueprint(name, __name__): templates and static files through __file__", () => {
    const app = flask();
    expect(app.findings).toEqual([
      ["app/__init__.py", 2, "framework", "", true],
      ["app/__init__.py", 3, "framework", "", true],
    ]);
    expect(app.decide().get("app")?.runsFrom).toBe("cache");
  });

  const jinja = scanTree({ "app/__init__.py": "import jinja2\nenv = jinja2.Environment(loader=jinja2.PackageLoader('app', 'templates'))\n", "app/templates/index.html": "<p>hi</p>\n" });
  test("jinja2 PackageLoader(package) is seen, and stays zipped: the runtime's importer serves it from the archive", () => {
    const scanned = jinja();
    expect(scanned.findings).toEqual([["app/__init__.py", 2, "templates", "", true]]);
    expect(scanned.decide().get("app")?.runsFrom).toBe("archive");
  });

  const certbot = scanTree({
    "certbot/__init__.py": "",
    "certbot/ssl-dhparams.pem": "-----BEGIN DH PARAMETERS-----\n",
    "certbot_nginx/__init__.py": "import pkg_resources\nDH = pkg_resources.resource_filename('certbot', 'ssl-dhparams.pem')\n",
  });
  test("certbot: resource_filename('certbot', ...) from another package unpacks the data of the package named", () => {
    const scanned = certbot();
    expect(scanned.findings).toEqual([["certbot_nginx/__init__.py", 2, "resource_file", "certbot", true]]);
    const decisions = scanned.decide();
    // The runtime answers resource_filename with the file in the cache entry: the code stays zipped.
    expect(decisions.get("certbot")).toMatchObject({
      runsFrom: "archive",
      dataUnpacked: true,
      reason: "data files unpacked: certbot_nginx/__init__.py:2 asks for a real file with resource_filename('certbot', ...)",
    });
    expect(decisions.get("certbot_nginx")?.runsFrom).toBe("archive");
  });

  const certifi = scanTree({ "pkg/__init__.py": "from importlib.resources import as_file, files\n_ctx = as_file(files('pkg').joinpath('x.txt'))\n", "pkg/x.txt": "x\n" });
  test("certifi: importlib.resources.as_file(files(...)) keeps the code zipped and unpacks the data", () => {
    const scanned = certifi();
    expect(scanned.findings).toEqual([["pkg/__init__.py", 2, "as_file", "", true]]);
    expect(scanned.decide().get("pkg")).toMatchObject({ runsFrom: "archive", dataUnpacked: true });
  });
});

describe("harmless uses are not findings", () => {
  const harmless: [string, string][] = [
    ["black: Path(__file__).suffix", 'from pathlib import Path\nCOMPILED = Path(__file__).suffix in (".pyd", ".so")\n'],
    ["isort: __file__.endswith(...)", '_IS_COMPILED = __file__.endswith((".so", ".pyd"))\n'],
    [
      "scipy: a directory given to warnings.warn(skip_file_prefixes=...) through a kwargs dict",
      "import os, warnings\ndef f():\n    kw = {'skip_file_prefixes': (os.path.dirname(__file__),)}\n    warnings.warn('x', DeprecationWarning, **kw)\n",
    ],
    ["sys.path.insert(0, dirname(__file__))", "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n"],
    ["pkgutil.iter_modules(__path__) (works on a zip)", "import pkgutil\nNAMES = [m.name for m in pkgutil.iter_modules(__path__)]\n"],
    ["__path__ = extend_path(__path__, __name__)", "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"],
    ["code under if __name__ == '__main__'", "import os\nif __name__ == '__main__':\n    print(open(os.path.join(os.path.dirname(__file__), 'x')).read())\n"],
    ["a docstring and a comment showing the pattern", '"""Use open(os.path.join(os.path.dirname(__file__), "x")).\n"""\n# Path(__file__).parent.iterdir()\n'],
    ["'__file__' as a dict key", "def ns(filename):\n    return {'__file__': str(filename)}\n"],
    ["a log message", "import logging, os\nlog = logging.getLogger(__name__)\nlog.debug('loaded from %s', os.path.dirname(__file__))\n"],
    ["a comparison with the module's path", "import os\ndef ours(frame):\n    return frame.f_code.co_filename.startswith(os.path.dirname(__file__))\n"],
  ];
  test.each(harmless.map(([name, code]) => [name, findingsOf(code)] as const))("%s", (_name, found) => {
    expect(found()).toEqual([]);
  });

  const versioneer = [
    "# This file helps to compute a version number in source trees obtained from",
    "# git-archive tarball (such as those provided by githubs download-from-tag",
    "# feature). Generated by versioneer-0.28",
    "import os, subprocess",
    "def git_pieces_from_vcs(tag_prefix, root, verbose):",
    "    return subprocess.run(['git', 'describe'], cwd=root)",
    "def get_versions():",
    "    root = os.path.realpath(__file__)",
    "    return git_pieces_from_vcs('v', root, False)",
    "",
  ].join("\n");
  const pandas = scanTree({ "pkg/__init__.py": "", "pkg/_version.py": versioneer, ...DATA });
  test("pandas: versioneer's _version.py walks up from __file__ to look for a git checkout", () => {
    const scanned = pandas();
    expect(scanned.findings).toEqual([]);
    expect(scanned.decide().get("pkg")?.runsFrom).toBe("archive");
  });

  const testutils = scanTree({
    "pkg/__init__.py": "",
    "pkg/testutils/lint_module_test.py": "import os\nFUNC = os.path.join(os.path.dirname(__file__), 'functional')\nopen(FUNC)\n",
    ...DATA,
  });
  test("pylint: test helpers under testutils/ do not decide for the package", () => {
    const scanned = testutils();
    expect(scanned.findings.length).toBeGreaterThan(0); // seen...
    expect(scanned.decide().get("pkg")).toMatchObject({ runsFrom: "archive", reason: "zipped: no code reads the package's own files by path" }); // ...and ignored
  });

  const noData = scanTree({ "pkg/__init__.py": "import os\nprint(open(os.path.join(os.path.dirname(__file__), 'mod.py')).read())\n" });
  test("a package that reads paths from __file__ but ships no data files stays zipped, and says why", () => {
    const scanned = noData();
    expect(scanned.decide().get("pkg")?.reason).toBe("zipped: pkg/__init__.py:2 gives open() a path derived from __file__, but pkg ships no data files to read there");
  });

  const otherPackage = scanTree({ "pkg/__init__.py": "import os, other\nDATA = open(os.path.join(os.path.dirname(other.__file__), 'x.txt'))\n", "other/__init__.py": "", "other/x.txt": "x\n", ...DATA });
  test("another package's __file__ is about that package, not this one", () => {
    const scanned = otherPackage();
    const decisions = scanned.decide();
    expect(decisions.get("other")?.runsFrom).toBe("cache");
    expect(decisions.get("pkg")?.runsFrom).toBe("archive");
  });
});

describe("reads on a path that can only end by raising do not decide", () => {
  // What such code reads only words an error message; the scan reports it as
  // "error_path" and the decision names it as ignored.
  const numpy = findingsOf("import os\ntry:\n    from . import _core\nexcept ImportError as exc:\n    found = os.listdir(__path__[0])\n    raise ImportError('missing: %s' % found) from exc\n");
  test("numpy: listing its directory in an except handler that re-raises", () => {
    expect(numpy()).toEqual([[5, "error_path", "", true]]);
  });

  const checkBuild = [
    "import os",
    "def raise_build_error(e):",
    "    local_dir = os.path.split(__file__)[0]",
    "    listing = []",
    "    for name in os.listdir(local_dir):",
    "        listing.append(name)",
    "    raise ImportError('%s; contents of %s: %s' % (e, local_dir, listing))",
    "try:",
    "    from pkg._check_build import check_build",
    "except ImportError as e:",
    "    raise_build_error(e)",
    "",
  ].join("\n");
  const sklearn = scanTree({ "pkg/__init__.py": "", "pkg/__check_build/__init__.py": checkBuild, ...DATA });
  test("scikit-learn: a function that can only raise lists its own folder; the package stays zipped and says so", () => {
    const scanned = sklearn();
    expect(scanned.findings).toEqual([["pkg/__check_build/__init__.py", 5, "error_path", "", true]]);
    expect(scanned.decide().get("pkg")).toMatchObject({
      runsFrom: "archive",
      reason:
        "zipped: no code reads the package's own files by path; ignored: pkg/__check_build/__init__.py:5 lists a directory derived from __file__ (os.listdir) only on a path that ends by raising",
    });
  });

  const branches: [string, string, string][] = [
    ["a function that returns the listing on its normal path", "import os\ndef names(e):\n    if e is None:\n        return os.listdir(os.path.dirname(__file__))\n    raise e\n", "listing"],
    ["an if branch that lists and does not raise", "import os\nif os.environ.get('X'):\n    NAMES = os.listdir(os.path.dirname(__file__))\n", "listing"],
    ["an except handler that lists and goes on", "import os\ntry:\n    import _x\nexcept ImportError:\n    NAMES = os.listdir(os.path.dirname(__file__))\n", "listing"],
    ["a handler that lists, then breaks out of its loop before raising", "import os\nfor i in range(2):\n    try:\n        import _x\n    except ImportError:\n        NAMES = os.listdir(os.path.dirname(__file__))\n        if i:\n            break\n        raise\n", "listing"],
  ];
  const normal = branches.map(([name, code, kind]) => [name, scanTree({ "pkg/__init__.py": code, ...DATA }), kind] as const);
  test.each(normal)("still a finding that unpacks the package: %s", (_name, scanned, kind) => {
    expect(scanned().findings.map(([, , k]) => k)).toContain(kind);
    expect(scanned().decide().get("pkg")?.runsFrom).toBe("cache");
  });

  const guarded = findingsOf("import os\nHERE = os.path.dirname(__file__)\nif not os.path.isdir(os.path.join(HERE, 'data')):\n    raise ImportError('no data')\n");
  test("the test of an if whose branch raises is still read on the normal path", () => {
    expect(guarded()).toContainEqual([3, "path", "", true]);
  });
});

describe("a subpackage whose code reads only inside its own folder is unpacked alone", () => {
  const styler = [
    "import pathlib, jinja2",
    "class StylerRenderer:",
    "    this_dir = pathlib.Path(__file__).parent.resolve()",
    "    template_dir = this_dir / 'templates'",
    "    loader = jinja2.FileSystemLoader(template_dir)",
    "",
  ].join("\n");
  const tree = (code: string, at = "pkg/io/formats/style.py") => ({
    "pkg/__init__.py": "",
    "pkg/io/__init__.py": "",
    "pkg/io/formats/__init__.py": "",
    [at]: code,
    "pkg/io/formats/templates/html.tpl": "x\n",
    "pkg/io/formats/tests/test_style.py": "",
    "pkg/data/other.json": "{}\n",
  });
  const pandas = scanTree(tree(styler));
  test("pandas: jinja2.FileSystemLoader(Path(__file__).parent / 'templates') unpacks pkg/io/formats/ only, and says so", () => {
    const scanned = pandas();
    expect(scanned.raw.every((f) => f.within)).toBe(true);
    const decision = scanned.decide().get("pkg");
    expect(decision).toMatchObject({ runsFrom: "archive", unpacked: false, parts: ["pkg/io/formats"] });
    expect(decision?.reason).toBe(
      "parts unpacked: pkg/io/formats/ (pkg/io/formats/style.py:5 gives jinja2.FileSystemLoader() a path derived from __file__, inside its own folder); the rest runs from the archive",
    );
  });

  const sklearn = scanTree({
    ...tree("from pathlib import Path\ndef css():\n    return (Path(__file__).parent / 'estimator.css').read_text()\nCSS = css()\n", "pkg/io/formats/estimator.py"),
    "pkg/io/formats/estimator.css": "x\n",
  });
  test("scikit-learn: (Path(__file__).parent / 'estimator.css').read_text() in a function", () => {
    expect(sklearn().decide().get("pkg")).toMatchObject({ runsFrom: "archive", parts: ["pkg/io/formats"] });
  });

  const wholeCases: [string, string, string?][] = [
    ["a path that climbs out with '..'", "import os\nopen(os.path.join(os.path.dirname(__file__), '..', 'data', 'other.json'))\n"],
    ["a path that climbs out with .parent.parent", "from pathlib import Path\n(Path(__file__).parent.parent / 'data').iterdir()\n"],
    ["dirname of the directory", "import os\nopen(os.path.join(os.path.dirname(os.path.dirname(__file__)), 'x'))\n"],
    ["a name that is not a literal", "import os\ndef read(name):\n    return open(os.path.join(os.path.dirname(__file__), name))\n"],
    ["an f-string", "import os\nHERE = os.path.dirname(__file__)\ndef read():\n    return open(f'{HERE}/../data/other.json')\n"],
    ["text replaced in the path", "def read():\n    return open(__file__.replace('formats', 'data'))\n"],
    ["code in the top-level package's own folder", "import os\nopen(os.path.join(os.path.dirname(__file__), 'data', 'other.json'))\n", "pkg/reader.py"],
    ["a name climbing one level per loop turn", "import os\nd = os.path.dirname(__file__)\nfor _ in range(2):\n    open(os.path.join(d, 'x'))\n    d = os.path.dirname(d)\n"],
    ["a folder returned to callers", "import os\ndef here():\n    return os.path.dirname(__file__)\n"],
    ["a working directory set to the folder", "import os\nos.chdir(os.path.dirname(__file__))\nopen('../data/other.json')\n"],
    ["a subprocess run in the folder", "import os, subprocess\nsubprocess.run(['make'], cwd=os.path.dirname(__file__))\n"],
  ];
  const whole = wholeCases.map(([name, code, at]) => [name, scanTree(tree(code, at))] as const);
  test.each(whole)("unpacked whole when the path may leave the folder: %s", (_name, scanned) => {
    expect(scanned().decide().get("pkg")).toMatchObject({ runsFrom: "cache", unpacked: true });
  });

  const resources = scanTree({ ...tree(styler), "pkg/res.py": "import importlib.resources as r\ndef f():\n    with r.as_file(r.files('pkg') / 'data' / 'other.json') as p:\n        return p\n" });
  test("a package that also asks for real files through importlib.resources is unpacked whole", () => {
    expect(resources().decide().get("pkg")).toMatchObject({ runsFrom: "cache", unpacked: true });
  });

  const alongside = scanTree({ ...tree(styler), "pkg/reader.py": "import os\nopen(os.path.join(os.path.dirname(__file__), '..', 'x'))\n" });
  test("one finding that may leave its folder unpacks the whole package, whatever the others", () => {
    expect(alongside().decide().get("pkg")).toMatchObject({ runsFrom: "cache", unpacked: true });
  });

  const runner = scanTree({
    "pkg/__init__.py": "",
    "pkg/util/__init__.py": "",
    "pkg/util/_tester.py": "import os, pytest\nPKG = os.path.dirname(os.path.dirname(__file__))\ndef test():\n    return pytest.main([PKG])\n",
    ...DATA,
  });
  test("pandas: a module that runs the test suite with pytest.main() does not decide (the tests stay zipped anyway)", () => {
    const scanned = runner();
    expect(new Set(scanned.findings.map(([, , kind]) => kind))).toEqual(new Set(["tests"]));
    expect(scanned.decide().get("pkg")).toMatchObject({ runsFrom: "archive" });
  });

  const buildUtils = scanTree({
    "pkg/__init__.py": "",
    "pkg/_build_utils/__init__.py": "",
    "pkg/_build_utils/version.py": "import os\ninit = os.path.join(os.path.dirname(__file__), '../__init__.py')\nprint(open(init).read())\n",
    ...DATA,
  });
  test("scikit-learn: the build scripts under _build_utils/ do not decide", () => {
    expect(buildUtils().decide().get("pkg")).toMatchObject({ runsFrom: "archive", reason: "zipped: no code reads the package's own files by path" });
  });
});

describe("compiled packages", () => {
  const files = { "black/__init__.py": 'from pathlib import Path\nCOMPILED = Path(__file__).suffix in (".pyd", ".so")\n', "black/mode.py": "", "black/fonts/x.txt": "x\n" };
  const pureBlack = scanTree(files);
  const mypycBlack = scanTree({ ...files, "black/__init__.cpython-311-x86_64-linux-gnu.so": "ELF" });
  test("black: Path(__file__).suffix keeps it zipped, with or without a compiled (mypyc) __init__", () => {
    const pure = pureBlack();
    expect(pure.decide().get("black")?.runsFrom).toBe("archive");
    // The runtime finds a native __init__'s pure-Python submodules in the archive.
    const mypyc = mypycBlack();
    const native = (f: { rel: string }) => (f.rel.endsWith(".so") ? "module" : null);
    expect(mypyc.decide({}, [], native).get("black")).toMatchObject({
      runsFrom: "archive",
      reason: "zipped: no code reads the package's own files by path; its 1 native file is unpacked",
    });
  });
});

describe("overrides and names", () => {
  const overridden = scanTree({ "pkg/__init__.py": "import os\nopen(os.path.join(os.path.dirname(__file__), 'data', 'x.txt'))\n", ...DATA, "other/__init__.py": "" });
  test("--zip keeps a detected package zipped and says what it overrides; --unpack takes a distribution name", () => {
    const scanned = overridden();
    expect(scanned.decide({ zip: ["pkg"] }).get("pkg")?.reason).toBe(
      "kept zipped: --zip pkg (although pkg/__init__.py:2 gives open() a path derived from __file__, and pkg ships data files)",
    );
    const dists = [{ name: "Other-Dist", version: "1", distInfo: "Other_Dist-1.dist-info", requires: [], files: [], scripts: [], topLevels: ["other"] }];
    expect(scanned.decide({ unpack: ["other.dist"] }, dists).get("other")?.reason).toBe("unpacked whole: --unpack other");
    expect(() => scanned.decide({ unpack: ["nosuch"] }, dists)).toThrow(/--unpack nosuch: no top-level package or distribution of that name/);
  });
});

describe("every build interpreter from 3.6 to 3.13 finds the same", () => {
  // ast.Str (3.6, 3.7) vs ast.Constant, ast.Index around subscripts (to 3.8).
  const corpus = {
    "pkg/__init__.py": "import os, sys\nHERE = os.path.dirname(__file__)\ndef read():\n    return open(f'{HERE}/data/x.txt').read()\nb = open(sys.modules[__name__].__file__ + '.txt')\n",
    "pkg/plugins.py": "from pkg.utils import register\nfrom pathlib import Path\ndef load(linter):\n    register(linter, __path__[0])\n    return [p for p in Path(__file__).parent.iterdir()]\n",
    "pkg/app.py": "import jinja2, pkg_resources\nfrom flask import Flask\napp = Flask(__name__)\nL = jinja2.PackageLoader('pkg', 'templates')\nR = pkg_resources.resource_filename('pkg', 'x.txt')\n",
    "pkg/harmless.py": "from pathlib import Path\nC = Path(__file__).suffix == '.so'\nif __name__ == '__main__':\n    open(__file__)\n",
  };
  const driver = [
    "import json, os, sys",
    "sys.path.insert(0, sys.argv[1])",
    "import zipsafety",
    "out = []",
    "for rel in sorted(sys.argv[3:]):",
    "    data = open(os.path.join(sys.argv[2], rel), 'rb').read()",
    "    mod = rel[:-3].replace('/', '.').replace('.__init__', '')",
    "    out += [[rel] + list(f) for f in zipsafety.scan(data, rel, mod, rel.endswith('__init__.py'))]",
    "print(json.dumps(out))",
  ].join("\n");
  const scanWith = (python: string) => {
    const root = writeTree(corpus);
    const r = spawnSync(python, ["-E", "-s", "-c", driver, path.dirname(helperPath("compile_pyc")), root, ...Object.keys(corpus)], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as unknown[];
  };
  const pythons = pyenvPythonsMatching(/^3\.(?:[6-9]|1[0-3])$/);
  if (pythons.length === 0) console.log("skipped: no pyenv interpreters 3.6-3.13 on this machine (~/.pyenv/versions)");
  test.skipIf(pythons.length === 0)("the same findings as python3 on each pyenv interpreter 3.6-3.13", () => {
    const reference = scanWith("python3");
    expect(reference.length).toBeGreaterThanOrEqual(7);
    for (const python of pythons) expect([python, scanWith(python)]).toEqual([python, reference]);
  });
});
