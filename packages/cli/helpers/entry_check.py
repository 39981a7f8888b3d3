"""Check `-e MODULE:FUNCTION` against the staged tree before anything is built.

check(site, target, suffixes) -> {"problem": str or None, "note": str or None}

The module must resolve to a .py, .pyc or extension module in the staged
tree (or be part of the standard library), and the attribute must be
defined at module level: a def, a class, an assignment or an import, also
inside if/try/with blocks. When that cannot be known from the syntax tree
(a compiled module, `from x import *`, a module-level __getattr__,
`globals()` writes) the entry point is accepted and the note says so.
"""
import ast
import importlib.util
import os
import sysconfig


def module_files(base, suffixes):
    """Candidate files for the module at path `base` (no extension), best first."""
    yield base + ".py", "source"
    yield os.path.join(base, "__init__.py"), "source"
    for suffix in suffixes:
        yield base + suffix, "native"
        yield os.path.join(base, "__init__" + suffix), "native"
    yield base + ".pyc", "bytecode"
    yield os.path.join(base, "__init__.pyc"), "bytecode"


def find_in_site(site, module, suffixes):
    base = os.path.join(site, *module.split("."))
    for path, kind in module_files(base, suffixes):
        if os.path.isfile(path):
            return path, kind
    if os.path.isdir(base):
        return base, "namespace"
    return None, None


def find_in_stdlib(module):
    """The stdlib file of `module`, "built-in", or None when it is not in the standard library."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    origin = spec.origin or ""
    if origin in ("built-in", "frozen"):
        return "built-in"
    stdlib = [os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")]
    real = os.path.realpath(origin)
    if any(real.startswith(d + os.sep) for d in stdlib) and "site-packages" not in real.split(os.sep):
        return real
    return None


def defined_names(statements):
    """Names bound at this level, and whether some binding cannot be seen."""
    names, unknowable = set(), None
    for stmt in statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
            if stmt.name == "__getattr__" and not isinstance(stmt, ast.ClassDef):
                unknowable = "it defines a module-level __getattr__"
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names.update(bound(target))
        elif isinstance(stmt, (ast.AugAssign, getattr(ast, "AnnAssign", ast.AugAssign))):
            if getattr(stmt, "value", None) is not None:
                names.update(bound(stmt.target))
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    unknowable = "it does `from %s import *`" % ("." * stmt.level + (stmt.module or ""))
                else:
                    names.add(alias.asname or alias.name)
        elif isinstance(stmt, (ast.For, getattr(ast, "AsyncFor", ast.For))):
            names.update(bound(stmt.target))
        elif isinstance(stmt, (ast.With, getattr(ast, "AsyncWith", ast.With))):
            for item in stmt.items:
                if item.optional_vars is not None:
                    names.update(bound(item.optional_vars))
        # Bodies of if/try/with/for/while run at import time too.
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(stmt, field, None)
            if inner and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if field == "handlers":
                    inner = [s for h in inner for s in h.body]
                more, why = defined_names(inner)
                names |= more
                unknowable = unknowable or why
    return names, unknowable


def bound(target):
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*[bound(e) for e in target.elts]) if target.elts else set()
    if isinstance(target, ast.Starred):
        return bound(target.value)
    return set()


def check_attribute(path, module, attrs):
    try:
        with open(path, "rb") as f:
            source = f.read()
        tree = ast.parse(source, path)
    except (OSError, SyntaxError, ValueError) as exc:
        return None, "could not read %s to check that it defines %s (%s): not checked" % (module, attrs[0], exc)
    body = tree.body
    for depth, attr in enumerate(attrs):
        names, unknowable = defined_names(body)
        if b"globals()" in source and depth == 0:
            unknowable = unknowable or "it writes to globals()"
        if attr not in names:
            if unknowable:
                return None, "cannot tell whether %s defines %s: %s; not checked" % (module, ".".join(attrs[: depth + 1]), unknowable)
            where = module if depth == 0 else "%s.%s" % (module, ".".join(attrs[:depth]))
            return "%s defines no %s (%s)" % (where, attr, path), None
        # Look inside a class for Class.method; anything else is not followed.
        classes = [s for s in body if isinstance(s, ast.ClassDef) and s.name == attr]
        if not classes:
            return None, None
        body = classes[-1].body
    return None, None


def check(site, target, suffixes):
    module, _, attr = target.partition(":")
    attrs = [a for a in attr.split(".") if a] if attr else []
    path, kind = find_in_site(site, module, suffixes)
    if path is None:
        stdlib = find_in_stdlib(module)
        if stdlib is None:
            return {"problem": "module %s is not in the bundle: no %s.py, %s/__init__.py or extension module "
                               "in the installed packages" % (module, module.replace(".", "/"), module.replace(".", "/")),
                    "note": None}
        if stdlib == "built-in" or not attrs:
            return {"problem": None, "note": None}
        path, kind = stdlib, "source" if stdlib.endswith(".py") else "native"
    if not attrs:
        return {"problem": None, "note": None}
    if kind == "namespace":
        return {"problem": "%s is a directory without __init__.py (a namespace package): it defines no %s" % (module, attrs[0]),
                "note": None}
    if kind != "source":
        return {"problem": None, "note": "cannot check that %s defines %s (%s module): not checked" % (module, attrs[0], kind)}
    problem, note = check_attribute(path, module, attrs)
    return {"problem": problem, "note": note}
