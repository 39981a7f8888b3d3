"""Byte-compile and analyse sources for a pyzap bundle (run by the build interpreter).

Reads a JSON list of jobs on stdin, [source, pyc_out, display_name, module,
is_package], module null for files that are not analysed (the bootstrap).
Each source is read once: it is compiled to an unchecked-hash .pyc (zipimport
uses them whatever the zip timestamps, and they are byte-identical from build
to build) and, when it may reach its own files by path, scanned by
zipsafety.scan. Prints JSON:

    {"failures": [[source, why]...], "findings": {source: [[line, kind, target, what]...]}}

Failures are sources that do not compile (Python 2 files in test data,
templates named .py...); they stay in the bundle as source only, like
compileall does.
"""
import importlib.util
import json
import marshal
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import zipsafety

# PEP 552 flags: hash-based (bit 0), not checked against the source (bit 1 clear).
UNCHECKED_HASH = (1).to_bytes(4, "little")


def unchecked_pyc(source, code):
    """The .pyc of `code`, compiled from the bytes `source`: unchecked hash (also helpers/stdlib_zip.py)."""
    return importlib.util.MAGIC_NUMBER + UNCHECKED_HASH + importlib.util.source_hash(source) + marshal.dumps(code)


def compile_one(job):
    source, out, display, module, is_package = job
    try:
        with open(source, "rb") as f:
            data = f.read()
        code = compile(data, display, "exec", dont_inherit=True)
    except Exception as exc:  # whatever compile() rejects stays source only
        text = str(exc).strip()
        return [source, text.splitlines()[-1] if text else type(exc).__name__, None]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as f:
        f.write(unchecked_pyc(data, code))
    findings = zipsafety.scan(data, display, module, is_package) if module else []
    return [source, None, findings] if findings else None


def main():
    jobs = json.load(sys.stdin)
    if len(jobs) > 200 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(compile_one, jobs, chunksize=64))
    else:
        results = [compile_one(job) for job in jobs]
    results = [r for r in results if r]
    json.dump({
        "failures": [[source, why] for source, why, _ in results if why is not None],
        "findings": dict((source, found) for source, why, found in results if found),
    }, sys.stdout)


if __name__ == "__main__":
    main()
