// .pth files in the bundled site-packages run as site would run them: import
// lines (setuptools' distutils hack, old-style -nspkg.pth namespace
// packages) and path lines, in the app and in its Python subprocesses.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { ok, pyzap, run, tempDir } from "./helpers.js";

const dir = tempDir();
const app = path.join(dir, "demo.pyz");

// What setuptools writes for an old-style namespace package: it reads the
// caller's local `sitedir` through sys._getframe(1).
const NSPKG =
  "import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('nsdemo',));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('nsdemo', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('nsdemo', [os.path.dirname(p)])));m = m or sys.modules.setdefault('nsdemo', types.ModuleType('nsdemo'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)\n";

beforeAll(() => {
  const site = path.join(dir, "site");
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(site, rel)), { recursive: true });
    writeFileSync(path.join(site, rel), text);
  };
  write(
    "demo/__init__.py",
    [
      "import os, subprocess, sys",
      "def main():",
      "    preloaded = 'nsdemo' in sys.modules  # the -nspkg.pth made it at start-up",
      "    import extra_mod, nsdemo.inner.mod as m",
      "    print('main', os.environ.pop('PTH_RAN', None), preloaded, extra_mod.WHERE, m.X)",
      "    code = 'import os, sys; pre = \"nsdemo\" in sys.modules; import extra_mod, nsdemo.inner.mod as m; print(\"child\", os.environ.get(\"PTH_RAN\"), pre, m.X)'",
      "    sys.stdout.flush()",
      "    subprocess.run([sys.executable, '-c', code], check=True)",
      "",
    ].join("\n"),
  );
  write("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n");
  write("demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo:main\n");
  write("extra/extra_mod.py", "WHERE = __file__\n");
  write("nsdemo/inner/__init__.py", "");
  write("nsdemo/inner/mod.py", "X = 42\n");
  // The parent removes PTH_RAN before it starts the child: the child's value is its own.
  write("zz-demo.pth", "# a comment\nimport os; os.environ['PTH_RAN'] = str(os.getpid() > 0)\nextra\n");
  write("nsdemo-nspkg.pth", NSPKG);
  ok(pyzap(["bundle", "--site-packages", site, "-c", "demo", "-o", app]));
});

test.each([
  ["through the launcher", () => run(app, [], { PYZAP_CACHE: path.join(dir, "cache") })],
  ["as python3 app.pyz", () => run("python3", [app], { PYZAP_CACHE: path.join(dir, "cache") })],
])("import lines and path lines of .pth files take effect, %s", (_how, start) => {
  const result = ok(start());
  expect(result.stdout).toBe(`main True True ${app}/site-packages/extra/extra_mod.py 42\nchild True True 42\n`);
  expect(result.stderr).toBe("");
});
