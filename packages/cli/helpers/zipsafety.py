"""Find code that needs its package as real files (run by the build interpreter).

`scan(tree, module)` walks a module's syntax tree and returns what it does
that a zip archive cannot serve, as findings:

    (line, kind, target, what, certain)

- kind "path": a path derived from the package's own location (`__file__`,
  `__path__`, `__spec__.origin`, `pkg.__file__`) reaches the file system
  (open, exists, a subprocess cwd...) or escapes where it cannot be followed
  (passed to a wrapper call such as sphinx's `_StrPath(__file__)`, returned,
  stored on an object or as a module global).
- kind "listing": such a path is listed as a directory (os.listdir, iterdir,
  glob, `__path__[0]` handed to a plugin loader): the package's own code
  files must be real files, whether or not it ships data.
- kind "framework": `Flask(__name__)` and the like, which find `templates/`
  and `static/` through the module's `__file__`.
- kind "templates": jinja2's `PackageLoader(name)`.
- kind "resource_file": `pkg_resources.resource_filename(pkg, ...)`: the
  resource must be a real file.
- kind "as_file": `importlib.resources.as_file` / `.path`: served from a real
  file when there is one, else copied to a temporary file on every call.
- kind "error_path": any of the above inside code that can only end by
  raising (a function, `if` branch or `except` handler whose last statement
  is `raise` and that has no return, yield, break or continue): what it reads
  only builds an error message (scikit-learn's `__check_build` lists its own
  folder to say which extension failed), so it does not decide where the
  package runs from; the build shows it as ignored.
- kind "tests": any of the above in a module that runs the package's test
  suite with `pytest.main()` (pandas' `pandas.test()`): the tests it would
  collect stay zipped whatever the layout, so it does not decide either.

Each finding also says whether the path provably stays inside the module's
own directory (`within`, see Origin.up): the build can then unpack just that
subpackage instead of the whole package.

`target` is the top-level package the finding is about ("" = the module's
own). `certain` is False when the path escapes where the scan cannot follow
it (a wrapper call, a return value, a module global): the build then unpacks
to be safe and says so. Harmless uses are not findings: `Path(__file__).suffix`,
`__file__.endswith(".so")`, a directory given to `warnings.warn(...,
skip_file_prefixes=...)`, `sys.path.insert(0, dirname(__file__))`,
`pkgutil.iter_modules(__path__)`, code under `if __name__ == "__main__":`.

Syntax-tree only, no imports of the analysed code; written for every build
interpreter from 3.6 (ast.Str) to 3.13 (ast.Constant).
"""
import ast
import sys

# Names whose text must appear in a file for it to be worth parsing at all.
TRIGGERS = (b"__file__", b"__path__", b"__spec__", b"resource_filename", b"PackageLoader",
            b"as_file", b"Flask", b"Blueprint", b"Quart", b"resources.path")

if sys.version_info >= (3, 8):
    def str_value(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None
else:  # 3.6, 3.7: string literals are ast.Str
    def str_value(node):
        if isinstance(node, ast.Str):
            return node.s
        return None

# Functions (by dotted name, after import aliases are resolved) whose result
# is still a path when given one.
TRANSFORMS = {
    "os.path.dirname", "os.path.join", "os.path.abspath", "os.path.realpath", "os.path.normpath",
    "os.path.expanduser", "os.path.normcase", "os.path.split", "os.path.splitext", "os.fspath",
    "os.fsencode", "os.fsdecode", "str", "bytes", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
    "pathlib.PurePosixPath", "os.path.commonpath", "posixpath.dirname", "posixpath.join",
    "posixpath.abspath", "posixpath.realpath", "posixpath.normpath", "tuple", "list", "dict", "reversed",
    "sorted", "enumerate", "zip", "map", "filter", "iter", "next", "min", "max",
}
# Functions that read the file system: a path into the archive fails there.
SINKS = {
    "open", "io.open", "codecs.open", "os.open", "os.stat", "os.lstat", "os.access", "os.chdir",
    "os.path.exists", "os.path.lexists", "os.path.isfile", "os.path.isdir", "os.path.islink",
    "os.path.getsize", "os.path.getmtime", "os.path.getctime", "os.path.getatime", "os.path.samefile",
    "os.readlink", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.copymode",
    "shutil.copystat", "shutil.make_archive", "ctypes.CDLL", "ctypes.PyDLL", "ctypes.cdll.LoadLibrary",
    "ctypes.CDLL", "sqlite3.connect", "runpy.run_path", "imp.load_source", "imp.load_dynamic",
    "importlib.util.spec_from_file_location", "zipfile.ZipFile", "tarfile.open", "execfile",
    "configparser.ConfigParser.read", "gettext.translation", "gettext.bindtextdomain", "os.execv",
    "os.execve", "os.execl", "os.spawnv",
}
SINK_PREFIXES = ("subprocess.", "shutil.", "jinja2.FileSystemLoader", "jinja2.loaders.FileSystemLoader")
LISTINGS = {"os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob", "os.fwalk"}
# Functions a path may be given to without anything being read through it.
HARMLESS = {
    "print", "repr", "len", "isinstance", "hash", "id", "bool", "type", "getattr", "hasattr", "setattr",
    "os.path.basename", "os.path.relpath", "os.path.isabs", "os.path.commonprefix",
    "pkgutil.iter_modules", "pkgutil.walk_packages", "pkgutil.extend_path", "sys.path.insert",
    "sys.path.append", "sys.path.remove", "sys.path.extend", "sys.path.index", "sys.path.count",
    "os.environ.get", "os.environ.setdefault", "os.getenv", "fnmatch.fnmatch", "re.match", "re.search",
    "re.sub", "re.compile", "re.escape", "textwrap.dedent", "object.__setattr__", "json.dumps", "json.dump",
    "pprint.pprint", "pprint.pformat", "sys.stdout.write", "sys.stderr.write", "click.echo",
}
# By the last part of the name. (Not lib2to3's load_packaged_grammar: it
# falls back to pkgutil.get_data only when no cache directory is given, and
# black gives one.)
HARMLESS_LAST = {"exit"}
HARMLESS_PREFIXES = ("warnings.", "logging.", "logger.", "log.", "_log.", "_logger.", "LOG.", "LOGGER.",
                     "typing.", "inspect.", "traceback.")
# Methods of a path or a string.
PATH_METHODS = {"joinpath", "with_name", "with_suffix", "with_stem", "resolve", "absolute", "expanduser",
                "replace", "strip", "rstrip", "lstrip", "split", "rsplit", "partition", "rpartition",
                "format", "relative_to", "as_posix", "__fspath__", "encode", "decode", "join", "__truediv__",
                "removesuffix", "removeprefix", "copy", "get", "items", "values"}
SINK_METHODS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_file",
                "is_dir", "stat", "lstat", "samefile", "readlink", "touch", "mkdir", "is_symlink", "owner"}
LISTING_METHODS = {"iterdir", "glob", "rglob", "walk"}
HARMLESS_METHODS = {"startswith", "endswith", "lower", "upper", "count", "find", "rfind", "index", "rindex",
                    "match", "full_match", "is_relative_to", "is_absolute", "isidentifier", "append",
                    "insert", "add", "remove", "discard", "__eq__", "__contains__", "isupper", "islower"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
PATH_ATTRS = {"parent", "parents", "anchor", "root", "drive"}
# Attribute reads that are location sources.
LOCATION_ATTRS = {"__file__", "__path__"}
FRAMEWORKS = {"Flask", "Blueprint", "Quart", "flask.Flask", "flask.Blueprint", "quart.Quart",
              "quart.Blueprint", "sanic.Sanic"}


class Origin(object):
    """Where a tainted value comes from: which package's location, and how.

    `up` says where the path can point: 0 = inside the module's own directory
    (the file itself, the directory, or below it by literal names), n = inside
    the directory n levels above it, None = unknown (a name that is not a
    literal, `..`, another module's location). `is_file` tells `dirname` of
    the file (its directory: still 0) from `dirname` of a directory (one up).
    """
    __slots__ = ("target", "source", "directory", "up", "is_file")

    def __init__(self, target, source, directory, up=None, is_file=False):
        self.target = target  # "" = this module's own top-level package
        self.source = source  # "__file__", "__path__", "alembic.__file__"
        self.directory = directory  # from __path__: a directory of code
        self.up = up
        self.is_file = is_file

    def moved(self, up, is_file=False):
        return Origin(self.target, self.source, self.directory, up, is_file)

    def unknown(self):
        """The same package's location, but nowhere the scan can place."""
        return self if self.up is None else self.moved(None)

    def parent(self):
        """dirname() / .parent: the file's own directory, or one level up."""
        if self.up is None:
            return self
        return self.moved(self.up, False) if self.is_file else self.moved(self.up + 1, False)

    def within(self):
        """True when the path stays inside the module's own directory."""
        return self.target == "" and self.up == 0


def below(node):
    """True for a literal path part that stays below the directory it is joined to ("templates", "a/b.txt")."""
    text = str_value(node)
    if text is None:
        return False
    parts = text.replace("\\", "/").split("/")
    return not text.startswith(("/", "~")) and ".." not in parts


def joined(origin, parts):
    """`origin` joined with `parts`: the same place when every part is a literal name below it."""
    return origin if all(below(p) for p in parts) else origin.unknown()


def merged(first, second):
    """Either of two values: unknown unless both are placed alike."""
    if first is None or second is None:
        return first or second
    if first.up == second.up and first.target == second.target and first.is_file == second.is_file:
        return first
    return first.unknown()


class Scanner(object):
    def __init__(self, module):
        self.module = module  # "pkg.sub.mod" (or "pkg" for pkg/__init__.py)
        self.top = module.split(".")[0]
        self.aliases = {}  # local name -> dotted name it was imported as
        self.globals = {}  # module-level name -> Origin
        self.findings = []
        self.record = False
        self.error_path = False  # inside code that can only end by raising
        self.test_runner = False  # calls pytest.main()

    # --- names -----------------------------------------------------------
    def dotted(self, node):
        """`os.path.join` for an expression naming it, through import aliases; else None."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return None if base is None else base + "." + node.attr
        return None

    def package_of(self, node):
        """Top-level package named by a literal, `__name__` or `__package__`; None if unknown."""
        text = str_value(node) if node is not None else None
        if text is not None:
            return text.split(".")[0] or None
        if isinstance(node, ast.Name) and node.id in ("__name__", "__package__"):
            return ""
        return None

    # --- findings -----------------------------------------------------------
    def find(self, node, kind, target, what, certain=True, within=False):
        if self.record:
            target = "" if target == self.top else target
            if self.error_path:
                kind, what = "error_path", "%s only on a path that ends by raising" % what
            self.findings.append((getattr(node, "lineno", 0), kind, target, what, certain, within))

    def raising_body(self, statements, scope, raising):
        """Visit `statements`, as an error path if `raising` (findings in it are reported as such)."""
        outer, self.error_path = self.error_path, raising
        try:
            self.body(statements, scope)
        finally:
            self.error_path = outer

    def escape(self, node, origin, how, attribute=False):
        """The path goes where the scan cannot follow it: assume the worst.

        Only a module or class attribute (`attribute`) keeps `within`: its
        readers see a path inside the folder and read beneath it (pandas'
        `StylerRenderer.template_dir`). A value returned, stored on an object
        or handed to a call may be taken anywhere from there.
        """
        kind = "listing" if origin.directory else "path"
        self.find(node, kind, origin.target, "%s a path derived from %s" % (how, origin.source), certain=False,
                  within=attribute and origin.within())

    # --- expressions: return the Origin of a location-derived value, or None
    def taint(self, node, scope):
        if node is None:
            return None
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return Origin("", "__file__", False, 0, True)
            if node.id == "__path__":
                return Origin("", "__path__", True, 0, False)
            if node.id in scope.assigned:
                return scope.tainted.get(node.id)
            return self.globals.get(node.id)
        if isinstance(node, ast.Attribute):
            return self.taint_attribute(node, scope)
        if isinstance(node, ast.Subscript):
            self.taint(getattr(node, "slice", None), scope)
            return self.taint(node.value, scope)
        if isinstance(node, ast.BinOp):
            left, right = self.taint(node.left, scope), self.taint(node.right, scope)
            return self.binop(left, right, node.op, node.right)
        if isinstance(node, ast.Call):
            return self.taint_call(node, scope)
        if isinstance(node, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
            # Comparisons give a bool; `a or b` may give either side.
            origins = [self.taint(n, scope) for n in ast.iter_child_nodes(node)]
            if not isinstance(node, ast.BoolOp):
                return None
            found = None
            for origin in origins:
                found = merged(found, origin)
            return found
        if isinstance(node, ast.IfExp):
            self.taint(node.test, scope)
            return merged(self.taint(node.body, scope), self.taint(node.orelse, scope))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for gen in node.generators:
                origin = self.taint(gen.iter, scope)
                self.bind(gen.target, origin, scope)
                for cond in gen.ifs:
                    self.taint(cond, scope)
            if isinstance(node, ast.DictComp):
                return self.taint(node.key, scope) or self.taint(node.value, scope)
            return self.taint(node.elt, scope)
        if isinstance(node, ast.Lambda):
            return self.taint(node.body, scope)
        # Literals, containers, f-strings, await, starred...: tainted if any part is.
        origin = None
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                origin = self.taint(child, scope) or origin
            elif isinstance(child, ast.keyword):
                origin = self.taint(child.value, scope) or origin
        if origin is not None and isinstance(node, getattr(ast, "JoinedStr", ())):
            return origin.unknown()  # f"{here}/../x": text the scan does not place
        return origin

    def binop(self, left, right, op, right_node):
        """`here / "templates"`, `__file__ + "c"`: placed when a tainted left side gets a literal name."""
        if left is not None and right is None and isinstance(op, (ast.Div, ast.Add)):
            return joined(left, [right_node])
        found = left or right
        return found.unknown() if found is not None else None

    def taint_attribute(self, node, scope):
        if node.attr in LOCATION_ATTRS:
            name = self.dotted(node.value)
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            # Only a name bound by an import is known to be a module (not `mod.__file__` of a variable).
            if name is not None and isinstance(root, ast.Name) and root.id in self.aliases:
                # another module's location: not placed relative to this one
                return Origin(name.split(".")[0], name + "." + node.attr, node.attr == "__path__")
            if isinstance(node.value, ast.Subscript) and self.dotted(node.value.value) == "sys.modules":
                key = node.value.slice
                key = getattr(key, "value", key)  # 3.6-3.8 wrap it in ast.Index
                target = self.package_of(key)
                if target is not None:
                    own = isinstance(key, ast.Name) and key.id == "__name__"
                    return Origin(target, "sys.modules[...]." + node.attr, node.attr == "__path__",
                                  0 if own else None, own and node.attr == "__file__")
            return None
        if node.attr in ("origin", "submodule_search_locations") and isinstance(node.value, ast.Name) \
                and node.value.id == "__spec__":
            return Origin("", "__spec__." + node.attr, node.attr != "origin", 0, node.attr == "origin")
        origin = self.taint(node.value, scope)
        if origin and node.attr == "parent":
            return origin.parent()
        if origin and node.attr in PATH_ATTRS:
            return origin.unknown()  # .parents[n], .root, .anchor
        return None  # .name, .suffix, .stem...: not a path any more

    def taint_call(self, node, scope):
        func = node.func
        name = self.dotted(func)
        args = [self.taint(a, scope) for a in node.args]
        kwargs = [self.taint(k.value, scope) for k in node.keywords]
        self.special_call(node, name)
        tainted = [o for o in args + kwargs if o]
        if isinstance(func, ast.Attribute):
            owner = self.taint(func.value, scope)
            if owner is not None:
                method = func.attr
                if method in SINK_METHODS:
                    self.find(node, "listing" if owner.directory else "path", owner.target,
                              "calls .%s() on a path derived from %s" % (method, owner.source), within=owner.within())
                    return None
                if method in LISTING_METHODS:
                    self.find(node, "listing", owner.target, "lists a directory derived from %s" % owner.source,
                              within=owner.within())
                    return None
                if method in HARMLESS_METHODS:
                    return None
                if method in PATH_METHODS:
                    return self.path_method(owner, method, node.args)
                self.escape(node, owner, "calls .%s() on" % method)
                return owner.unknown()
        if not tainted:
            return None
        origin = None
        for each in tainted:
            origin = merged(origin, each)
        if name is None:
            self.escape(node, origin, "passes to a call it cannot follow")
            return origin.unknown()
        if name in TRANSFORMS:
            return self.transform(origin, name, node, args[0] if args else None)
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return origin.unknown()  # "{}/data".format(here) is still a path, placed nowhere
        last = name.split(".")[-1]
        if name in HARMLESS or name.startswith(HARMLESS_PREFIXES) or is_logging(name) \
                or last.endswith(("Error", "Exception", "Warning")) or last in HARMLESS_LAST:
            return None
        if name in LISTINGS:
            self.find(node, "listing", origin.target, "lists a directory derived from %s (%s)" % (origin.source, name),
                      within=origin.within())
            return None
        if name in SINKS or name.startswith(SINK_PREFIXES):
            # A working directory makes every relative path a read the scan does not see.
            moves = name == "os.chdir" or name.startswith("subprocess.") or name.startswith("os.exec") \
                or name.startswith("os.spawn")
            self.find(node, "listing" if origin.directory else "path", origin.target,
                      "gives %s() a path derived from %s" % (name, origin.source), within=not moves and origin.within())
            return None
        if isinstance(func, ast.Attribute) and func.attr in HARMLESS_METHODS:
            return None
        self.escape(node, origin, "passes to %s()" % name)
        return origin.unknown()

    def transform(self, origin, name, node, first):
        """Where a path function's result points, given where its tainted argument (`first`: the first one's) does."""
        last = name.split(".")[-1]
        if first is None:
            return origin.unknown()  # the tainted value is not the path argument: join("/", here)
        if last in ("dirname", "split"):  # split(p)[0] is dirname(p)
            return origin.parent()
        if last == "join" or name.startswith("pathlib."):  # Path(here, "templates")
            return joined(origin, node.args[1:])
        if last == "commonpath" or node.keywords:
            return origin.unknown()
        return origin  # abspath, realpath, str, Path(x), sorted(...): the same place

    def path_method(self, owner, method, args):
        """Where a path or string method's result points."""
        if method in ("joinpath", "__truediv__"):
            return joined(owner, args)
        if method in ("with_suffix", "with_stem", "with_name"):
            return owner if owner.is_file or owner.up is None else owner.moved(owner.up + 1, True)
        if method in ("resolve", "absolute", "expanduser", "as_posix", "__fspath__", "encode", "decode",
                      "copy", "get", "items", "values"):
            return owner
        return owner.unknown()  # replace, strip, format, split...: text the scan does not place

    def special_call(self, node, name):
        """Calls that need real files whatever their arguments are made of."""
        if name is None:
            return
        last = name.split(".")[-1]
        first = node.args[0] if node.args else None
        if name == "pytest.main":
            self.test_runner = True
        if name in FRAMEWORKS or last in ("Flask", "Blueprint", "Quart"):
            names = [first] + [k.value for k in node.keywords if k.arg == "import_name"]
            if last == "Blueprint" and len(node.args) > 1:
                names.append(node.args[1])
            if any(isinstance(n, ast.Name) and n.id == "__name__" for n in names):
                self.find(node, "framework", "", "gives __name__ to %s(), which finds templates and static files "
                          "through the module's __file__" % last)
        elif last == "PackageLoader":
            arg = first if first is not None else next((k.value for k in node.keywords if k.arg == "package_name"), None)
            target = self.package_of(arg)
            if target is not None:
                self.find(node, "templates", target, "loads templates with %s(%s)" % (last, target or "__name__"))
        elif last == "resource_filename":
            target = self.package_of(first)
            if target is not None:
                self.find(node, "resource_file", target, "asks for a real file with resource_filename(%s, ...)"
                          % (repr(target) if target else "__name__"))
        elif name in ("importlib.resources.as_file", "importlib_resources.as_file", "importlib.resources.path",
                      "importlib_resources.path") or (last == "as_file" and "resources" in name):
            target = self.files_target(first) if name.endswith("as_file") else self.package_of(first)
            if target is not None:
                self.find(node, "as_file", target, "asks for a real file with %s()" % name.split(".", 1)[-1])

    def files_target(self, node):
        """The package of `files(PKG)` inside an as_file() argument."""
        for sub in ast.walk(node) if node is not None else ():
            if isinstance(sub, ast.Call) and (self.dotted(sub.func) or "").split(".")[-1] == "files" and sub.args:
                return self.package_of(sub.args[0])
        return None

    # --- statements ------------------------------------------------------------
    def bind(self, target, origin, scope):
        if isinstance(target, ast.Name):
            scope.assigned.add(target.id)
            if origin is not None:
                # Flow-insensitive: a name bound to paths placed differently
                # (`d = dirname(d)` in a loop, a global reassigned after a
                # function reading it) is placed nowhere.
                scope.tainted[target.id] = merged(scope.tainted.get(target.id), origin)
                if scope.module_level:
                    self.globals[target.id] = merged(self.globals.get(target.id), origin)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.bind(elt, origin, scope)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, origin, scope)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            if origin is not None:
                # Stored on an object or in a container: whoever reads it later is out of sight.
                self.taint(target.value, scope)
                self.escape(target, origin, "stores on an object")

    def body(self, statements, scope):
        for stmt in statements:
            self.statement(stmt, scope)

    def statement(self, stmt, scope):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.imports(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for deco in stmt.decorator_list:
                self.taint(deco, scope)
            inner = Scope(module_level=False, exposes=isinstance(stmt, ast.ClassDef))
            if not isinstance(stmt, ast.ClassDef):
                for default in stmt.args.defaults + [d for d in stmt.args.kw_defaults if d is not None]:
                    origin = self.taint(default, scope)
                    if origin is not None:
                        self.escape(default, origin, "uses as a default argument")
            # A function that can only raise (sklearn's raise_build_error);
            # any other, nested ones included, is judged on its own.
            raising = not isinstance(stmt, ast.ClassDef) and ends_by_raising(stmt.body)
            self.raising_body(stmt.body, inner, raising)
            scope.assigned.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            origin = self.taint(stmt.value, scope)
            for target in stmt.targets:
                self.bind(target, origin, scope)
                self.module_global(stmt, target, origin, scope)
        elif isinstance(stmt, (ast.AugAssign, getattr(ast, "AnnAssign", ast.AugAssign))):
            origin = self.taint(stmt.value, scope) if stmt.value is not None else None
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                # here += "/templates": as `here + "/templates"`
                origin = self.binop(scope.tainted.get(stmt.target.id), origin, stmt.op, stmt.value)
            self.bind(stmt.target, origin, scope)
            self.module_global(stmt, stmt.target, origin, scope)
        elif isinstance(stmt, (ast.For, getattr(ast, "AsyncFor", ast.For))):
            self.bind(stmt.target, self.taint(stmt.iter, scope), scope)
            self.body(stmt.body + stmt.orelse, scope)
        elif isinstance(stmt, (ast.With, getattr(ast, "AsyncWith", ast.With))):
            for item in stmt.items:
                origin = self.taint(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, origin, scope)
            self.body(stmt.body, scope)
        elif isinstance(stmt, ast.If):
            if is_main_guard(stmt.test):
                self.body(stmt.orelse, scope)  # the script part never runs on import
                return
            self.taint(stmt.test, scope)
            for branch in (stmt.body, stmt.orelse):
                self.raising_body(branch, scope, self.error_path or ends_by_raising(branch))
        elif isinstance(stmt, ast.Return):
            origin = self.taint(stmt.value, scope)
            if origin is not None:
                self.escape(stmt, origin, "returns")
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Yield, ast.YieldFrom)):
            origin = self.taint(stmt.value.value, scope)
            if origin is not None:
                self.escape(stmt, origin, "yields")
        else:
            # try/while/raise/assert/del/expression statements...: visit what they hold.
            for field, value in ast.iter_fields(stmt):
                if isinstance(value, ast.expr):
                    self.taint(value, scope)
                elif isinstance(value, list):
                    stmts = [v for v in value if isinstance(v, ast.stmt)]
                    self.body(stmts, scope)
                    for v in value:
                        if isinstance(v, ast.expr):
                            self.taint(v, scope)
                        elif isinstance(v, ast.excepthandler):
                            self.handler(v, scope)

    def handler(self, handler, scope):
        # A handler that ends by raising only builds an error message (numpy
        # lists its own directory to say which extension is missing): what it
        # reads cannot change whether the package works.
        self.raising_body(handler.body, scope, self.error_path or ends_by_raising(handler.body))

    def module_global(self, stmt, target, origin, scope):
        # A module global holding a path of the package can be imported by any
        # other module (sphinx's `package_dir`): out of sight, so it counts.
        if origin is not None and scope.exposes and isinstance(target, ast.Name) \
                and not target.id.startswith("__"):
            self.escape(stmt, origin, "exposes as module attribute %s" % target.id, attribute=True)

    def imports(self, stmt):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    self.aliases.setdefault(alias.name.split(".")[0], alias.name.split(".")[0])
            return
        base = stmt.module or ""
        if stmt.level:
            package = self.module.split(".")
            package = package[: len(package) - stmt.level + (1 if self.is_package else 0)]
            base = ".".join(package + ([base] if base else []))
        for alias in stmt.names:
            if alias.name != "*":
                self.aliases[alias.asname or alias.name] = base + "." + alias.name if base else alias.name

    def run(self, tree, is_package):
        self.is_package = is_package
        # Flow-insensitive: a first pass learns which names hold paths (a
        # global may be assigned after the function using it), the second
        # records findings.
        for record in (False, True):
            self.record = record
            self.body(tree.body, Scope(module_level=True))
        if self.test_runner:
            return [(line, "tests", target, "%s, in a module that runs the test suite with pytest.main()" % what,
                     certain, within) for line, kind, target, what, certain, within in self.findings]
        return self.findings


class Scope(object):
    __slots__ = ("tainted", "assigned", "module_level", "exposes")

    def __init__(self, module_level, exposes=None):
        self.tainted = {}
        self.assigned = set()
        self.module_level = module_level
        # Module and class bodies: what they bind is readable from outside.
        self.exposes = module_level if exposes is None else exposes


def is_logging(name):
    # self.log.debug(...), self._logger.info(...): a path in a message is only text.
    parts = name.lower().split(".")
    return len(parts) > 1 and parts[-1] in LOG_METHODS and "log" in parts[-2]


# Statements that leave a block other than by raising; a function or class
# defined inside is a body of its own.
LEAVES = (ast.Return, ast.Break, ast.Continue, ast.Yield, ast.YieldFrom)
NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def ends_by_raising(statements):
    """True when the block's last statement is `raise` and nothing in it returns, yields, breaks or continues."""
    if not statements or not isinstance(statements[-1], ast.Raise):
        return False
    todo = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, NESTED):
            continue
        if isinstance(node, LEAVES):
            return False
        todo.extend(ast.iter_child_nodes(node))
    return True


def is_main_guard(test):
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and str_value(test.comparators[0]) == "__main__")


def is_versioneer(source):
    # versioneer's generated _version.py walks up from __file__ to find a git
    # checkout (a subprocess with that cwd); a bundle never is one, and the
    # failure is the fallback it is written for.
    return b"versioneer" in source[:4000] and b"git_pieces_from_vcs" in source


def scan(source, filename, module, is_package):
    """Findings of one module's source bytes; [] when nothing could need real files."""
    if not any(t in source for t in TRIGGERS) or is_versioneer(source):
        return []
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return []  # not Python 3 (test data, templates): never imported either
    except (RecursionError, MemoryError) as exc:
        return [[1, "path", "", "mentions its location but could not be analysed (%s)" % type(exc).__name__, False]]
    try:
        found = Scanner(module).run(tree, is_package)
    except (RecursionError, MemoryError) as exc:
        # Generated code nested too deep to walk: it mentions its location,
        # so assume the worst rather than fail the build.
        return [[1, "path", "", "mentions its location but could not be analysed (%s)" % type(exc).__name__, False]]
    # Deduplicate: the same line may be reached through several names.
    seen, out = set(), []
    for finding in found:
        if finding not in seen:
            seen.add(finding)
            out.append(list(finding))
    return out
