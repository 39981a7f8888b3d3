"""Write the standard library of a standalone bundle as one zip (run by the build interpreter).

Reads JSON on stdin: {"stdlib": DIR, "output": ZIP, "drop": [NAME...],
"nested_tests": bool, "sources": bool, "zip_name": "python311.zip"}. Walks DIR (the
interpreter's pure-Python standard library), leaves out what `drop` names
(top-level modules or packages) and, unless nested_tests, every test-suite
directory inside a package (`test`, `tests`, `idle_test`), and writes ZIP:
each module's unchecked-hash .pyc STORED (zipimport uses it whatever the
timestamps), its .py deflated only with "sources" (for tracebacks' source
lines and inspect.getsource: it doubles the entries zipimport reads at every
start), other files deflated; a module that does not compile keeps its .py. Entries sorted, timestamps fixed: the same input gives the same
bytes. Also writes ZIP's early directory (see write_early). Prints JSON:
{"modules": N, "files": N, "dropped": [NAME...], "early": [REL...]}.

The code objects are named "ZIP_NAME/pkg/mod.py", which is where zipimport
finds their source at run time.
"""
import json
import marshal
import os
import sys
import zipfile
from concurrent.futures import ProcessPoolExecutor

from compile_pyc import unchecked_pyc  # beside this file: the helpers' directory is sys.path[0]

DATE = (1980, 1, 1, 0, 0, 0)
# Never part of the pure-Python standard library of a bundle.
ALWAYS_SKIPPED = {'site-packages', 'dist-packages', 'lib-dynload', '__pycache__'}
TEST_DIRS = {'test', 'tests', 'idle_test'}


def compile_one(job):
    """(source path, display name) -> .pyc bytes, or None if it does not compile."""
    path, display = job
    with open(path, 'rb') as f:
        data = f.read()
    try:
        code = compile(data, display, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return unchecked_pyc(data, code)


def top_name(rel):
    """'email/parser.py' -> 'email'; 'os.py' -> 'os'; 'x.cpython-311.so' -> 'x'."""
    first = rel.split('/', 1)[0]
    return first.split('.', 1)[0] if '/' not in rel else first


def collect(stdlib, drop, nested_tests):
    """Sorted (rel, abs) of every file to keep, and the sorted dropped names found."""
    kept, dropped = [], set()
    for root, dirs, files in os.walk(stdlib):
        rel_dir = os.path.relpath(root, stdlib).replace(os.sep, '/')
        rel_dir = '' if rel_dir == '.' else rel_dir + '/'
        keep_dirs = []
        for d in dirs:
            if d in ALWAYS_SKIPPED or (not rel_dir and d.startswith('config-')):
                continue
            if not rel_dir and d in drop:
                dropped.add(d)
                continue
            if rel_dir and d in TEST_DIRS and not nested_tests:
                continue
            keep_dirs.append(d)
        dirs[:] = sorted(keep_dirs)
        for name in files:
            rel = rel_dir + name
            if name.endswith(('.pyc', '.pyo')):
                continue
            if not rel_dir and top_name(rel) in drop:
                dropped.add(top_name(rel))
                continue
            kept.append((rel, os.path.join(root, name)))
    kept.sort()
    return kept, sorted(dropped)


def info(name, stored):
    zi = zipfile.ZipInfo(name, DATE)
    zi.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    zi.create_system = 3
    return zi


def main():
    req = json.load(sys.stdin)
    kept, dropped = collect(req['stdlib'], set(req['drop']), req.get('nested_tests', False))
    sources = [(rel, path) for rel, path in kept if rel.endswith('.py')]
    jobs = [(path, '%s/%s' % (req['zip_name'], rel)) for rel, path in sources]
    if (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            pycs = list(pool.map(compile_one, jobs, chunksize=32))
    else:
        pycs = [compile_one(job) for job in jobs]
    compiled = {rel: pyc for (rel, _), pyc in zip(sources, pycs) if pyc is not None}
    entries = []
    for rel, path in kept:
        if rel not in compiled or req.get('sources', False):
            entries.append((rel, path, None))
        if rel in compiled:
            entries.append((rel + 'c', None, compiled[rel]))
    entries.sort(key=lambda e: e[0].encode('utf-8'))
    with zipfile.ZipFile(req['output'], 'w') as z:
        for rel, path, pyc in entries:
            if pyc is not None:
                z.writestr(info(rel, True), pyc)
            else:
                with open(path, 'rb') as f:
                    z.writestr(info(rel, False), f.read())
    early = write_early(req['stdlib'], req['output'], compiled)
    json.dump({'modules': len(compiled), 'files': len(entries), 'dropped': dropped, 'early': early}, sys.stdout)


# The codecs Python may need before `site` on a usual system (UTF-8, C and Latin-1 locales).
EARLY_CODECS = ('aliases', 'ascii', 'latin_1', 'utf_8')
# Appended to the early copy of encodings/__init__: any other codec (an unusual
# locale's, or one asked for later) comes from the zip, as without the copy.
EARLY_FALLBACK = "\n__path__.append(__file__.rsplit('/', 3)[0] + '/%s/encodings')\n"


def write_early(stdlib, output, compiled):
    """Beside ZIP, `pyzap-early/`: the codecs Python imports before `site` as plain .pyc files, and
    `stdlib.idx`.

    The launcher puts that directory on PYTHONPATH, so those imports do not make
    zipimport read ZIP's whole directory; the runtime then fills zipimport's
    cache from stdlib.idx, this interpreter's own reading of ZIP
    (_pyzap/_stdlib.py). Every file here adds an entry that every start reads
    in the bundle's own directory, hence the short list. Returns the written
    paths, relative to ZIP's directory, sorted.
    """
    import zipimport
    base = os.path.dirname(output)
    written = []
    init = os.path.join(stdlib, 'encodings', '__init__.py')
    if 'encodings/__init__.py' not in compiled or os.sep != '/':
        return written
    with open(init, 'rb') as f:
        source = f.read() + (EARLY_FALLBACK % os.path.basename(output)).encode()
    code = compile(source, '%s/encodings/__init__.py' % os.path.basename(output), 'exec', dont_inherit=True)
    written.append(write_file(base, 'pyzap-early/encodings/__init__.pyc', unchecked_pyc(source, code)))
    for name in EARLY_CODECS:
        rel = 'encodings/%s.py' % name
        if rel in compiled:
            written.append(write_file(base, 'pyzap-early/' + rel + 'c', compiled[rel]))
    read = getattr(zipimport, '_read_directory', None)
    if read is not None:  # private, and present in every CPython 3 that --standalone takes
        toc = read(output)
        head = output + os.sep
        names = sorted(name for name, entry in toc.items() if entry[0] == head + name)
        if len(names) == len(toc):
            # Columns, so that the runtime rebuilds the toc with C-level zip().
            columns = tuple(tuple(toc[n][i] for n in names) for i in range(1, len(toc[names[0]])))
            # version 2: no back-references, so the same zip always gives the same bytes (the runtime key)
            index = marshal.dumps((sys.implementation.cache_tag, os.path.getsize(output), tuple(names), columns), 2)
            written.append(write_file(base, 'pyzap-early/stdlib.idx', index))
    return sorted(written)


def write_file(base, rel, data):
    path = os.path.join(base, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return rel


if __name__ == '__main__':
    main()
