"""Pack the sources of compiled modules into solid chunks (run by the build interpreter).

A module imported from the archive runs from its .pyc; its source is read
only for a traceback, inspect.getsource() or linecache. Compressing sources
together (one stream for many files) is 22 % smaller than one deflated zip
entry per file (certbot: 0.94 vs 1.20 MiB), and xz is what makes it so:
deflate's 32 KiB window sees little of the neighbouring files.

Reads JSON on stdin: {"files": [[name, path]...] (archive names, sorted),
"out": directory, "chunk": raw bytes per chunk}. Writes OUT/N.xz (or N.zz, a zlib stream,
when this Python has no lzma) and OUT/index:

    pyzap-sources 1
    CHUNK OFFSET SIZE NAME        one line per file, NAME the archive name

and prints {"chunks": [file names...], "index": "index"}. Files go into chunks
in the given order until a chunk holds `chunk` bytes, so a traceback
decompresses one chunk of neighbouring files, not the whole bundle's sources.
Chunks are compressed in parallel (xz is the slow part of a build).
"""
import json
import os
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor

try:
    import lzma
except ImportError:  # a Python built without liblzma: zlib is always there
    lzma = None

SUFFIX = '.xz' if lzma else '.zz'
# xz -3, not -6: pandas + scipy sources (28.5 MiB in 133 chunks) pack to 5.76
# instead of 5.34 MiB in 1.5 instead of 6.2 s of CPU (certbot: 0.94 vs 0.87
# MiB, 0.36 vs 1.26 s); decompressing costs the same.
PRESET = 3


def compress(job):
    """Write one chunk: (path, [source files]) -> None."""
    out, paths = job
    data = b''.join(read(p) for p in paths)
    if lzma:
        # CRC32 instead of the default CRC64: the runtime decompresses with
        # whatever lzma it has, and 4 bytes is enough to catch a bad chunk.
        packed = lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=PRESET)
    else:
        packed = zlib.compress(data, 9)
    with open(out, 'wb') as f:
        f.write(packed)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def plan(files, limit):
    """[(chunk name, [(name, path, offset, size)...])...] in the order given."""
    chunks, current, filled = [], [], 0
    for name, path in files:
        size = os.path.getsize(path)
        if current and filled + size > limit:
            chunks.append(current)
            current, filled = [], 0
        current.append((name, path, filled, size))
        filled += size
    if current:
        chunks.append(current)
    return [('%d%s' % (i, SUFFIX), members) for i, members in enumerate(chunks)]


def main():
    job = json.load(sys.stdin)
    out = job['out']
    os.makedirs(out, exist_ok=True)
    chunks = plan(job['files'], job['chunk'])
    lines = ['pyzap-sources 1']
    for chunk, members in chunks:
        lines.extend('%s %d %d %s' % (chunk, offset, size, name) for name, _, offset, size in members)
    with open(os.path.join(out, 'index'), 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')
    jobs = [(os.path.join(out, chunk), [path for _, path, _, _ in members]) for chunk, members in chunks]
    if len(jobs) > 1 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            list(pool.map(compress, jobs))
    else:
        for j in jobs:
            compress(j)
    json.dump({'chunks': [chunk for chunk, _ in chunks], 'index': 'index'}, sys.stdout)


if __name__ == '__main__':
    main()
