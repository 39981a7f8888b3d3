// The real-application table: one row per app. Each is bundled with plain
// `pyzap bundle REQ -c SCRIPT` (never a per-app pyzap flag), run on a bare
// venv and compared with the same app pip-installed in a venv (harness.ts).
import type { App } from "./app.js";

const PROG = `import os
import sys


def add(a, b):
    return a + b


class Greeter:
    def greet(self, name: str) -> str:
        return "hello " + name


print(add(1, 2), Greeter().greet("pyzap"), len(sys.argv))
`;
const BAD_TYPES = `def twice(x: int) -> int:\n    return x * 2\n\n\nresult: str = twice(2)\n`;
const durations = (t: string) => t.replace(/\b\d+(\.\d+)?(s| seconds|ms)\b/g, "<T>");

export const APPS: App[] = [
  // --- mypyc-compiled tools: native modules whose pure-Python siblings stay zipped
  {
    name: "black", covers: "mypyc-compiled", install: ["black"], script: "black",
    steps: [{ args: ["-q", "-"], stdin: "x = {  'a':37,'b':42,\n'c':927}\ndef f(a,):\n  return a\n" }, { args: ["--check", "prog.py"] }],
    files: { "prog.py": PROG }, expect: /x = \{"a": 37, "b": 42, "c": 927\}/,
  },
  {
    name: "isort", covers: "native __init__ (compiled)", install: ["isort"], script: "isort",
    steps: [{ args: ["-"], stdin: "import sys\nimport os\nfrom b import c\nimport a\n" }, { args: ["--version"] }],
    expect: /import os\nimport sys/,
  },
  {
    name: "mypy", covers: "mypyc-compiled, typeshed via __file__", install: ["mypy"], script: "mypy",
    files: { "prog.py": BAD_TYPES }, steps: [{ args: ["--no-incremental", "--cache-dir=/dev/null", "prog.py"] }],
    expect: /Incompatible types in assignment/,
  },
  {
    name: "charset-normalizer", covers: "mypyc-compiled", install: ["charset-normalizer"], script: "normalizer",
    files: { "text.txt": "Ceci est un texte en français, avec des accents: é à ç ô ù œ. Ça marche très bien !\n".repeat(4) },
    steps: [{ args: ["--minimal", "text.txt"] }], expect: /utf_8/,
  },
  // --- template, theme and locale data read by path
  {
    name: "sphinx", covers: "theme data via __file__, entry points", install: ["sphinx"], script: "sphinx-build",
    files: { "src/conf.py": "project = 'Demo'\nhtml_theme = 'alabaster'\nlanguage = 'fr'\n", "src/index.rst": "Demo\n====\n\nHello *world*.\n\n.. note:: A note.\n\n.. code-block:: python\n\n   print('x')\n" },
    steps: [{ args: ["-q", "-b", "html", "src", "out"] }], outputs: ["out/_static"], show: ["out/index.html"],
    expect: /alabaster\.css/,
  },
  {
    name: "babel", covers: "locale data via __file__", install: ["babel"], script: "pybabel",
    files: { "messages.pot": 'msgid ""\nmsgstr ""\n"Project-Id-Version: demo 1.0\\n"\n"POT-Creation-Date: 2024-01-01 00:00+0000\\n"\n"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n\nmsgid "Hello"\nmsgstr ""\n\nmsgid "%(n)d apple"\nmsgid_plural "%(n)d apples"\nmsgstr[0] ""\nmsgstr[1] ""\n' },
    steps: [{ args: ["init", "-i", "messages.pot", "-d", "locale", "-l", "fr_CA"] }, { args: ["init", "-i", "messages.pot", "-d", "locale", "-l", "pl"] }, { args: ["compile", "-f", "-d", "locale"] }],
    outputs: ["locale"], show: ["locale/pl/LC_MESSAGES/messages.po"], normalize: (t) => t.replace(/\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d{4}/g, "<DATE>"),
    expect: /Plural-Forms: nplurals=3/,
  },
  {
    name: "alembic", covers: "copies templates from __file__", install: ["alembic"], script: "alembic",
    steps: [{ args: ["list_templates"] }, { args: ["init", "migrations"] }], outputs: ["migrations"], show: ["alembic.ini"],
    expect: /Creating directory/,
  },
  {
    name: "django", covers: "project templates via __file__, commands by directory listing", install: ["django"], script: "django-admin",
    steps: [{ args: ["startproject", "mysite"] }, { args: ["help", "--commands"] }], outputs: ["mysite"],
    expect: /makemigrations/,
  },
  {
    name: "jinja2-packageloader", covers: "PackageLoader, importlib.resources", fixture: "pzapp-tpl", script: "pzapp-tpl",
    steps: [{ args: [] }], expect: /<li>&lt;kale&gt;<\/li>[\s\S]*as_file: hello/,
  },
  {
    name: "docutils", covers: "stylesheets read by path", install: ["docutils"], script: "rst2html",
    files: { "doc.rst": "Title\n=====\n\nSome *text* with a table:\n\n===  ===\na    b\n===  ===\n1    2\n===  ===\n\n.. math:: x^2\n" },
    steps: [{ args: ["doc.rst"] }], expect: /<table/,
  },
  // --- plugins and metadata
  {
    name: "pylint", covers: "checkers by directory listing", install: ["pylint"], script: "pylint",
    files: { "prog.py": PROG }, env: { PYLINTHOME: "{{HOME}}/pylint" },
    steps: [{ args: ["--persistent=n", "--score=n", "prog.py"] }], expect: /missing-module-docstring/,
  },
  {
    name: "flake8", covers: "plugins from entry points", install: ["flake8"], script: "flake8",
    files: { "prog.py": `${PROG}import json\nx=1\n` }, steps: [{ args: ["prog.py"] }, { args: ["--version"] }],
    expect: /F401 'os' imported but unused[\s\S]*pyflakes/,
  },
  {
    name: "markdown", covers: "extensions from entry points", install: ["markdown"], script: "markdown_py",
    steps: [{ args: ["-x", "toc", "-x", "tables", "-x", "fenced_code"], stdin: "# Title\n\n[TOC]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n" }],
    expect: /class="toc"[\s\S]*<table>/,
  },
  {
    name: "pkg_resources", covers: "pkg_resources + importlib.metadata (certbot-like)", fixture: "pzapp-pkgres", script: "pzapp-pkgres",
    steps: [{ args: [] }], expect: /plugin reverse nigulP[\s\S]*resource_filename: message[\s\S]*entry points: \['reverse', 'upper'\]/,
  },
  {
    name: "faker", covers: "locales by package listing", install: ["faker"], script: "faker",
    steps: [{ args: ["--seed", "1", "-l", "fr_FR", "-r", "2", "name"] }, { args: ["--seed", "3", "-l", "ja_JP", "address"] }],
    expect: /\S+ \S+/,
  },
  {
    name: "flask", covers: "click CLI, metadata versions", install: ["flask"], script: "flask",
    files: { "hello.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/hello/<name>')\ndef hello(name):\n    return f'hi {name}'\n" },
    steps: [{ args: ["--app", "hello", "routes"] }, { args: ["--version"] }], expect: /\/hello\/<name>[\s\S]*Werkzeug/,
  },
  {
    name: "jsonschema", covers: "metaschemas via importlib.resources", install: ["jsonschema"], script: "jsonschema",
    files: { "schema.json": '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"n": {"type": "integer"}}}', "bad.json": '{"n": "x"}', "good.json": '{"n": 1}' },
    steps: [{ args: ["-i", "bad.json", "schema.json"] }, { args: ["-i", "good.json", "schema.json"] }], compareStderr: true,
    env: { PYTHONWARNINGS: "ignore::DeprecationWarning" }, // the CLI's deprecation warning names the importing frame
    expect: /is not of type 'integer'/,
  },
  // --- tools doing ordinary work
  {
    name: "pytest", covers: "assertion rewriting, plugins", install: ["pytest"], script: "pytest",
    files: { "tests/test_demo.py": "def add(a, b):\n    return a + b\n\n\ndef test_ok():\n    assert add(2, 2) == 4\n\n\ndef test_bad():\n    assert add(1, 2) == 4\n" },
    steps: [{ args: ["-q", "-p", "no:cacheprovider", "tests"] }], normalize: durations,
    expect: /where 3 = add\(1, 2\)[\s\S]*1 failed, 1 passed/,
  },
  {
    name: "coverage", covers: "C tracer, HTML templates via __file__", install: ["coverage"], script: "coverage",
    files: { "prog.py": PROG }, steps: [{ args: ["run", "prog.py"] }, { args: ["report", "-m"] }, { args: ["html", "-q", "-d", "htmlcov"] }],
    outputs: ["htmlcov"], expect: /prog\.py\s+\d+\s+0\s+100%/,
  },
  {
    name: "pygments", covers: "lexers and styles by name", install: ["pygments"], script: "pygmentize",
    files: { "prog.py": PROG }, steps: [{ args: ["-f", "html", "-O", "full,style=monokai", "prog.py"] }, { args: ["-N", "x.rs"] }],
    expect: /class="k">def[\s\S]*rust/,
  },
  {
    name: "sqlparse", covers: "pure Python CLI", install: ["sqlparse"], script: "sqlformat",
    steps: [{ args: ["-r", "-k", "upper", "-"], stdin: "select a, b from t where a=1 and b in (select x from y) order by a" }],
    expect: /SELECT a,\n\s+b\nFROM t/,
  },
  {
    name: "virtualenv", covers: "seed wheels read by path, subprocess", install: ["virtualenv"], script: "virtualenv",
    env: { VIRTUALENV_OVERRIDE_APP_DATA: "{{HOME}}/virtualenv" },
    steps: [{ args: ["--no-download", "--no-periodic-update", "-q", "env"] }, { cmd: ["env/bin/python", "-m", "pip", "--version"] }],
    expect: /pip \d+[\s\S]*<WORK>\/env\/lib/,
  },
  {
    name: "httpx", covers: "click + rich CLI against a local server", install: ["httpx[cli]"], script: "httpx",
    steps: [{ args: ["{{URL}}/hello.json"] }, { args: ["-m", "POST", "{{URL}}/plain.txt"] }],
    normalize: (t) => t.replace(/^date: .*$/gim, "date: <DATE>"), expect: /greeting[\s\S]*ünïcödé/,
  },
  // --- libraries in small apps of ours (fixtures/)
  {
    name: "requests", covers: "certifi CA file, local server", fixture: "pzapp-requests", script: "pzapp-requests",
    steps: [{ args: ["{{URL}}"] }], expect: /200 application\/json[\s\S]*certifi is a file: True/,
  },
  {
    name: "opencv", covers: "vendored libs, loader config next to __file__", fixture: "pzapp-cv", script: "pzapp-cv",
    steps: [{ args: ["shapes.png"] }], outputs: ["shapes.png"], expect: /same after PNG round trip: True/,
  },
  {
    name: "numpy-pandas-scipy", covers: "natives, BLAS, computation, Styler templates (pandas/io/formats/ unpacked alone)", fixture: "pzapp-sci", script: "pzapp-sci",
    steps: [{ args: [] }], expect: /"lu_ok": true[\s\S]*"styler": true/,
  },
  {
    name: "matplotlib", covers: "mpl-data via __file__, fonts", fixture: "pzapp-mpl", script: "pzapp-mpl",
    env: { MPLCONFIGDIR: "{{HOME}}/mpl" }, steps: [{ args: ["plot"] }], show: ["plot.svg"], expect: /png sha256: [0-9a-f]{16}/,
  },
  {
    name: "lxml", covers: "libxml2/libxslt extension", fixture: "pzapp-lxml", script: "pzapp-lxml",
    files: { "books.xml": '<books><book year="1999"><title>B</title></book><book year="2005"><title>A</title></book><book year="1968"><title>E</title></book></books>' },
    steps: [{ args: ["books.xml"] }], expect: /<ul><li>E<\/li><li>B<\/li><li>A<\/li><\/ul>/,
  },
  {
    name: "cryptography", covers: "Rust extension + OpenSSL", fixture: "pzapp-crypto", script: "pzapp-crypto",
    steps: [{ args: [] }], expect: /aesgcm: [0-9a-f]+ attack at dawn[\s\S]*CN=pyzap.test/,
  },
  {
    name: "pydantic", covers: "pydantic-core Rust extension", fixture: "pzapp-pydantic", script: "pzapp-pydantic",
    steps: [{ args: [] }], expect: /"when":"2024-02-29"[\s\S]*greater_than/,
  },
  {
    name: "sqlalchemy", covers: "compiled extensions, sqlite3", fixture: "pzapp-sqla", script: "pzapp-sqla",
    steps: [{ args: ["db.sqlite"] }], expect: /\('Le Guin', 2\), \('Lem', 1\)/,
  },
  {
    name: "multiprocessing-spawn", covers: "spawned children re-import the app", fixture: "pzapp-spawn", script: "pzapp-spawn",
    steps: [{ args: [] }], expect: /pool: \[0, 1, 4[\s\S]*executor: \['pzapp_spawn', 'pzapp_spawn'\][\s\S]*queue: from a child/,
  },
  {
    name: "rich", covers: "-e MODULE:FUNC entry, unicode data", fixture: "pzapp-rich", entry: "pzapp_rich:main",
    steps: [{ args: [] }], expect: /Fruit[\s\S]*<pre/,
  },
];
