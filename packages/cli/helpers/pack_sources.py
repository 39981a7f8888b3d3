"""Pack the sources and the bytecode of compiled modules into solid xz streams (run by the build interpreter).

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

With "bytecode": {"packs": [[[name, path]...]...] (the packs, planned by the
CLI), "out": directory, "codec": "xz" or "zz", "preset": xz preset, "level":
zlib level} it also writes the bytecode packs OUT/N.xz (N.zz: zlib streams,
when asked or when this Python has no lzma; docs/format.md, "Bytecode packs")
and their index OUT/index, a marshal'ed dict:

    {'format': 'pyzap-bytecode 1', 'key': H (16 hex digits, from the packs' and chunks' hashes),
     'packs': [(file name, raw size, sha256 of the raw bytes)...],   N.xz or N.zz
     'files': {archive name: (pack number, offset, size)},
     'sources': [(chunk file name, raw size, sha256)...]}           the sources chunks above

and adds "bytecode": {"packs": [file names...], "index": "index", "raw": [raw
sizes...], "key": H} to what it prints. Chunks and packs are compressed together
in one pool, one process per core (xz is the slow part of a build).
"""
import hashlib
import json
import marshal
import os
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor

try:
    import lzma
except ImportError:  # a Python built without liblzma: zlib is always there
    lzma = None

SUFFIX = '.xz' if lzma else '.zz'
# xz -5 (certbot, pb=0: -3 982 KB in 0.21 s of CPU, -4 949 KB 0.55 s, -5 913 KB
# 0.73 s, -6 905 KB 0.83 s): -5 is what, with the bytecode packs, brings
# certbot's bundle under 4 MiB with a margin. Before the packs it was -3:
# pandas + scipy sources (28.5 MiB in 133 chunks) packed to 5.76 MiB at -3 in
# 1.5 s of CPU, 5.34 MiB at -6 in 6.2 s. Decompressing costs the same.
PRESET = 5


def compress(job):
    """Write one chunk or pack: (path, [files], 'xz' or 'zz', xz preset or zlib level) -> (raw size,
    sha256 of the raw bytes)."""
    out, paths, codec, preset = job
    data = b''.join(read(p) for p in paths)
    if codec == 'xz':
        # CRC32 instead of the default CRC64: the runtime decompresses with
        # whatever lzma it has, and 4 bytes is enough to catch a bad chunk.
        # pb=0: sources and bytecode have no 4-byte structure for LZMA's position bits (certbot: 5 KB
        # smaller bytecode packs, 3 KB smaller sources chunks, the same time).
        filters = [{'id': lzma.FILTER_LZMA2, 'preset': preset, 'pb': 0}]
        packed = lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, filters=filters)
    else:
        packed = zlib.compress(data, preset)
    with open(out, 'wb') as f:
        f.write(packed)
    return len(data), hashlib.sha256(data).hexdigest()


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


def bytecode_plan(packs, suffix):
    """[(pack name, [(name, path, offset, size)...])...]: the CLI's packs, laid out."""
    out = []
    for i, members in enumerate(packs):
        laid, filled = [], 0
        for name, path in members:
            size = os.path.getsize(path)
            laid.append((name, path, filled, size))
            filled += size
        out.append(('%d%s' % (i, suffix), laid))
    return out


def write_bytecode_index(out, packs, results, chunks, chunk_results):
    """OUT/index of the bytecode packs (see the module's docstring)."""
    files = {}
    for number, (_, members) in enumerate(packs):
        for name, _, offset, size in members:
            files[name] = (number, offset, size)
    hashes = hashlib.sha256(b'pyzap-bytecode 1\n')
    for (pack, _), (raw, digest) in zip(packs, results):
        hashes.update(('%s %d %s\n' % (pack, raw, digest)).encode())
    # The sources chunks, unpacked into the same cache directory when a source is read.
    for (chunk, _), (raw, digest) in zip(chunks, chunk_results):
        hashes.update(('sources/%s %d %s\n' % (chunk, raw, digest)).encode())
    index = {'format': 'pyzap-bytecode 1', 'key': hashes.hexdigest()[:16],
             'packs': [(pack, raw, digest) for (pack, _), (raw, digest) in zip(packs, results)], 'files': files,
             'sources': [(chunk, raw, digest) for (chunk, _), (raw, digest) in zip(chunks, chunk_results)]}
    with open(os.path.join(out, 'index'), 'wb') as f:
        f.write(marshal.dumps(index, 2))  # version 2: no references, the same bytes at every build
    return index['key']


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
    codec = SUFFIX[1:]
    jobs = [(os.path.join(out, chunk), [path for _, path, _, _ in members], codec, PRESET if lzma else 9)
            for chunk, members in chunks]
    bytecode = job.get('bytecode')
    packs = []
    if bytecode:
        os.makedirs(bytecode['out'], exist_ok=True)
        # xz when asked and this Python has lzma, else zlib (level bytecode['level']).
        xz = bytecode['codec'] == 'xz' and lzma is not None
        packs = bytecode_plan(bytecode['packs'], '.xz' if xz else '.zz')
        jobs += [(os.path.join(bytecode['out'], pack), [path for _, path, _, _ in members],
                  'xz' if xz else 'zz', bytecode['preset'] if xz else bytecode['level'])
                 for pack, members in packs]
    # The biggest first, so that no core is left with a long job at the end.
    order = sorted(range(len(jobs)), key=lambda i: -sum(os.path.getsize(p) for p in jobs[i][1]))
    if len(jobs) > 1 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            done = dict(zip(order, pool.map(compress, [jobs[i] for i in order])))
    else:
        done = {i: compress(jobs[i]) for i in order}
    result = {'chunks': [chunk for chunk, _ in chunks], 'index': 'index'}
    if bytecode:
        results = [done[len(chunks) + i] for i in range(len(packs))]
        key = write_bytecode_index(bytecode['out'], packs, results, chunks, [done[i] for i in range(len(chunks))])
        result['bytecode'] = {'packs': [pack for pack, _ in packs], 'index': 'index', 'raw': [raw for raw, _ in results], 'key': key}
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main()
