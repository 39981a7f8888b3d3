#!/usr/bin/python3
"""Turn installed Debian python3-* packages into wheels, with their dependency closure.

    /usr/bin/python3 test/debwheel/debwheel.py --out WHEELHOUSE python3-certbot [...]

PyPI is unreachable in the test environment, but Debian ships real
applications. This writes one proper wheel per Python distribution in the
closure of the given Debian packages (METADATA, WHEEL, RECORD with sha256,
entry_points.txt, a recomputed top_level.txt), so a test can run
`pyzap bundle --no-index --find-links WHEELHOUSE certbot -c certbot` exactly
as a user would against PyPI. Run it with Debian's /usr/bin/python3: Debian's
native modules are built for that interpreter.

What Debian's packaging forces on us:
- no RECORD in the installed metadata: file lists come from `dpkg -L`;
- Requires-Dist is stripped from most metadata: dependencies come from each
  package's `Depends:` (alternatives, virtual packages) mapped back to Python
  distributions, and are written as Requires-Dist without version bounds;
- python3-pkg-resources goes inside the setuptools wheel; python3-cffi-backend
  holds only _cffi_backend*.so and becomes a `cffi` wheel (merged with
  python3-cffi when that is installed too);
- cryptography has two metadata directories: the *.dist-info is used;
- top_level.txt may be wrong: it is recomputed from the files.
"""
import argparse
import base64
import csv
import email.parser
import hashlib
import io
import os
import re
import subprocess
import sys
import sysconfig
import zipfile

DIST_PACKAGES = '/usr/lib/python3/dist-packages/'
# Debian packages without metadata of their own -> the distribution they belong to.
MERGE_INTO = {'python3-pkg-resources': 'setuptools', 'python3-cffi-backend': 'cffi'}
NOT_PYTHON_LIBS = {'python3', 'python3-minimal', 'python3-distutils', 'python3-lib2to3', 'python3-venv'}
EPOCH = (1980, 1, 1, 0, 0, 0)


def dpkg_query(fields, *packages):
    out = subprocess.run(['dpkg-query', '-W', '-f', fields] + list(packages),
                         capture_output=True, text=True)
    return out.stdout


def installed_index():
    """name -> (status ok, depends, provides) for every package dpkg knows."""
    index = {}
    provides = {}
    text = dpkg_query('${Package}\t${db:Status-Abbrev}\t${Depends}, ${Pre-Depends}\t${Provides}\n')
    for line in text.splitlines():
        name, status, depends, prov = (line.split('\t') + ['', '', ''])[:4]
        if not status.startswith('ii'):
            continue
        index[name] = depends
        for p in split_list(prov):
            provides.setdefault(bare(p), []).append(name)
    return index, provides


def split_list(text):
    return [p.strip() for p in text.split(',') if p.strip()]


def bare(dep):
    """'python3-josepy (>= 1.13.0~)' -> 'python3-josepy'; 'python3:any' -> 'python3'."""
    return re.split(r'[\s(\[]', dep.strip(), maxsplit=1)[0].split(':')[0]


def resolve_dep(group, index, provides):
    """First installed alternative of 'a | b' (a virtual one through Provides)."""
    for alt in group.split('|'):
        name = bare(alt)
        if name in index:
            return name
        for real in provides.get(name, []):
            if real in index:
                return real
    return None


def closure(roots, index, provides):
    """Debian python3-* packages reachable from roots, each with its python3-* dependencies."""
    graph = {}
    todo = list(roots)
    while todo:
        pkg = todo.pop()
        if pkg in graph:
            continue
        if pkg not in index:
            sys.exit('debwheel: %s is not installed (apt-get install %s)' % (pkg, pkg))
        deps = []
        for group in split_list(index[pkg]):
            dep = resolve_dep(group, index, provides)
            if dep and dep.startswith('python3-') and dep not in NOT_PYTHON_LIBS and dep != pkg:
                deps.append(dep)
                todo.append(dep)
        graph[pkg] = sorted(set(deps))
    return graph


def package_files(pkg):
    """The package's regular files (symlinks followed) under dist-packages, relative."""
    out = subprocess.run(['dpkg', '-L', pkg], capture_output=True, text=True, check=True).stdout
    files = []
    for path in out.splitlines():
        if not path.startswith(DIST_PACKAGES) or '/__pycache__/' in path:
            continue
        if os.path.isfile(path):
            files.append(path[len(DIST_PACKAGES):])
    return sorted(files)


def metadata_dir(files):
    """The metadata directory (or single PKG-INFO file) among the files; dist-info first."""
    tops = sorted({f.split('/', 1)[0] for f in files if re.search(r'\.(dist|egg)-info(/|$)', f.split('/', 1)[0])})
    tops.sort(key=lambda t: not t.endswith('.dist-info'))
    return tops[0] if tops else None


def read_metadata(meta):
    path = DIST_PACKAGES + meta
    for name in ('METADATA', 'PKG-INFO'):
        candidate = os.path.join(path, name) if os.path.isdir(path) else path
        if os.path.isfile(candidate):
            with open(candidate, encoding='utf-8') as f:
                return f.read()
    raise SystemExit('debwheel: no METADATA/PKG-INFO in %s' % path)


def normalize(name):
    return re.sub(r'[-_.]+', '_', name).lower()


class Dist(object):
    def __init__(self, name, version, metadata):
        self.name = name
        self.version = version
        self.metadata = metadata
        self.files = []  # dist-packages relative
        self.entry_points = None
        self.debs = []
        self.requires = set()


def upstream_version(pkg):
    v = dpkg_query('${Version}', pkg).strip()
    v = v.split(':', 1)[-1].rsplit('-', 1)[0]
    return re.sub(r'[~+].*$', '', v)


def build_dists(graph):
    dists = {}
    deb_to_dist = {}
    merged = []
    for pkg in sorted(graph):
        files = package_files(pkg)
        if pkg in MERGE_INTO:
            merged.append((pkg, files))
            continue
        meta = metadata_dir(files)
        if meta is None:
            if files:
                sys.stderr.write('debwheel: warning: %s has files but no metadata; skipped\n' % pkg)
            continue
        parsed = email.parser.Parser().parsestr(read_metadata(meta))
        dist = Dist(parsed['Name'], parsed['Version'], parsed)
        dist.debs.append(pkg)
        metas = [t for t in {f.split('/', 1)[0] for f in files} if re.search(r'\.(dist|egg)-info$', t)]
        for f in files:
            top = f.split('/', 1)[0]
            if top in metas:
                if top == meta and f.endswith('/entry_points.txt'):
                    with open(DIST_PACKAGES + f, encoding='utf-8') as fh:
                        dist.entry_points = fh.read()
                continue
            if f.endswith('.pth'):
                continue
            dist.files.append(f)
        dists[normalize(dist.name)] = dist
        deb_to_dist[pkg] = normalize(dist.name)
    for pkg, files in merged:
        key = normalize(MERGE_INTO[pkg])
        if key not in dists:
            parsed = email.parser.Parser().parsestr('Metadata-Version: 2.1\nName: %s\nVersion: %s\n' % (MERGE_INTO[pkg], upstream_version(pkg)))
            dists[key] = Dist(MERGE_INTO[pkg], parsed['Version'], parsed)
        dists[key].files.extend(f for f in files if not f.endswith('.pth'))
        dists[key].debs.append(pkg)
        deb_to_dist[pkg] = key
    for pkg, deps in graph.items():
        mine = deb_to_dist.get(pkg)
        if mine is None:
            continue
        for dep in deps:
            other = deb_to_dist.get(dep)
            if other and other != mine:
                dists[mine].requires.add(dists[other].name)
    return dists


def is_elf(path):
    with open(path, 'rb') as f:
        return f.read(4) == b'\x7fELF'


def record_hash(data):
    return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()


def write_wheel(dist, out_dir):
    native = any(is_elf(DIST_PACKAGES + f) for f in dist.files)
    tag = 'cp%d%d-cp%d%d-%s' % (sys.version_info[:2] * 2 + (sysconfig.get_platform().replace('-', '_').replace('.', '_'),)) if native else 'py3-none-any'
    name = normalize(dist.name)
    info = '%s-%s.dist-info' % (name, dist.version)
    meta = dist.metadata
    for field in ('Requires-Dist', 'Provides-Extra', 'Requires-Python'):
        del meta[field]
    text = meta.as_string().rstrip('\n').split('\n\n', 1)
    header = text[0] + '\n' + ''.join('Requires-Dist: %s\n' % r for r in sorted(dist.requires))
    metadata = header + ('\n' + text[1] + '\n' if len(text) > 1 else '')
    tops = sorted({top_level(f) for f in dist.files} - {None})
    generated = [
        (info + '/METADATA', metadata.encode()),
        (info + '/WHEEL', ('Wheel-Version: 1.0\nGenerator: pyzap-debwheel\nRoot-Is-Purelib: %s\nTag: %s\n'
                           % ('false' if native else 'true', tag)).encode()),
        (info + '/top_level.txt', ''.join(t + '\n' for t in tops).encode()),
        (info + '/INSTALLER', b'debwheel\n'),
    ]
    if dist.entry_points:
        generated.append((info + '/entry_points.txt', dist.entry_points.encode()))
    path = os.path.join(out_dir, '%s-%s-%s.whl' % (name, dist.version, tag))
    rows = []
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for rel in sorted(set(dist.files)):
            with open(DIST_PACKAGES + rel, 'rb') as f:
                data = f.read()
            zi = zipfile.ZipInfo(rel, EPOCH)
            zi.external_attr = (0o755 if os.access(DIST_PACKAGES + rel, os.X_OK) else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
            rows.append((rel, record_hash(data), str(len(data))))
        for rel, data in generated:
            z.writestr(zipfile.ZipInfo(rel, EPOCH), data, zipfile.ZIP_DEFLATED)
            rows.append((rel, record_hash(data), str(len(data))))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator='\n')
        writer.writerows(rows + [(info + '/RECORD', '', '')])
        z.writestr(zipfile.ZipInfo(info + '/RECORD', EPOCH), buf.getvalue(), zipfile.ZIP_DEFLATED)
    return path


def top_level(rel):
    first = rel.split('/', 1)[0]
    if '/' in rel:
        return first
    m = re.match(r'^([A-Za-z_][A-Za-z0-9_]*)(\.py|\..*\.so|\.so)$', first)
    return m.group(1) if m else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='directory for the wheels')
    parser.add_argument('packages', nargs='+', help='Debian packages (python3-certbot ...)')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    index, provides = installed_index()
    graph = closure(args.packages, index, provides)
    for dist in sorted(build_dists(graph).values(), key=lambda d: normalize(d.name)):
        print(os.path.basename(write_wheel(dist, args.out)))


if __name__ == '__main__':
    main()
