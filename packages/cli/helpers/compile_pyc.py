"""Byte-compile sources for a pyzap bundle (run by the build interpreter).

Reads a JSON list of [source, pyc_out, display_name] on stdin and writes
unchecked-hash .pyc files: zipimport uses them whatever the zip timestamps,
and they are byte-identical from build to build. Prints a JSON list of the
sources that did not compile (Python 2 files in test data, templates named
.py...); those stay in the bundle as source only, like compileall does.
"""
import json
import os
import py_compile
import sys
from concurrent.futures import ProcessPoolExecutor


def compile_one(job):
    source, out, display = job
    os.makedirs(os.path.dirname(out), exist_ok=True)
    try:
        py_compile.compile(
            source,
            cfile=out,
            dfile=display,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        return None
    except (py_compile.PyCompileError, SyntaxError, ValueError, UnicodeDecodeError) as exc:
        return [source, str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__]


def main():
    jobs = json.load(sys.stdin)
    if len(jobs) > 200 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(compile_one, jobs, chunksize=64))
    else:
        results = [compile_one(job) for job in jobs]
    json.dump([r for r in results if r], sys.stdout)


if __name__ == "__main__":
    main()
