"""What the staged distributions declare (run by the build interpreter).

Reads JSON on stdin: {"site": DIR, "entry": "module:attr" or null,
"suffixes": [extension module suffixes]}. Prints JSON:

    {"dists": [{"name", "version", "distInfo", "scripts": [[name, target]...],
                "topLevels": [...], "requires": [normalized names, extras left out],
                "files": [RECORD paths inside the site dir, then the dist-info's own files]}...],
     "topLevels": [every top-level name in the tree],
     "entry": {"problem": str or null, "note": str or null} or null}

Console scripts and requirements come from importlib.metadata (the same
parser pip and the runtime use), the files and top-level names a
distribution installed from its RECORD read as CSV (paths may contain
commas): --exclude and the installers rule decide from these. The entry point is checked by
entry_check.
"""
import csv
import json
import os
import pathlib
import re
import sys

import entry_check

try:
    from importlib import metadata
except ImportError:  # 3.7: no importlib.metadata; configparser reads the same INI
    metadata = None

SCRIPT_GROUPS = ("console_scripts", "gui_scripts")


def top_levels(paths):
    """Top-level import names of RECORD paths: "pkg/x.py" -> pkg, "mod.py" -> mod."""
    names = set()
    for rel in paths:
        rel = rel.replace("\\", "/")
        if not rel or rel.startswith(("../", "/")):
            continue  # scripts and data installed outside site-packages
        head = rel.split("/")[0]
        if "/" in rel:
            if not head or head.endswith((".dist-info", ".egg-info", ".data")) or head in ("__pycache__", "bin"):
                continue
            names.add(head)
        elif rel.endswith(".py") and rel[:-3].isidentifier():
            names.add(rel[:-3])
    return sorted(names)


def read_record(dist_info):
    try:
        with open(os.path.join(dist_info, "RECORD"), newline="", encoding="utf-8") as f:
            return [row[0] for row in csv.reader(f) if row]
    except OSError:
        return []


def scripts_of(dist_info, dist):
    if dist is not None:
        return sorted([ep.name, ep.value] for ep in dist.entry_points if ep.group in SCRIPT_GROUPS)
    import configparser
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str
    parser.read(os.path.join(dist_info, "entry_points.txt"), encoding="utf-8")
    return sorted([name, value] for group in SCRIPT_GROUPS if parser.has_section(group)
                  for name, value in parser.items(group))


def normalize(name):
    """PEP 503: "Foo.Bar_baz" -> "foo-bar-baz"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requires_of(dist_info, dist):
    """Names a distribution always needs (a requirement under an extra marker is left out)."""
    if dist is not None:
        lines = dist.requires or []
    else:
        lines = []
        try:
            with open(os.path.join(dist_info, "METADATA"), encoding="utf-8") as f:
                lines = [line.split(":", 1)[1] for line in f if line.startswith("Requires-Dist:")]
        except OSError:
            pass
    names = []
    for line in lines:
        requirement, _, marker = line.partition(";")
        if re.search(r"\bextra\s*==", marker):
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match:
            names.append(normalize(match.group(1)))
    return sorted(set(names))


def files_of(dist_info, record):
    """What the distribution put in the site dir: RECORD's paths, then every file of its dist-info."""
    inside = [p for p in record if p and not p.startswith("..") and not os.path.isabs(p)]
    entry = os.path.basename(dist_info)
    own = []
    for root, _dirs, names in os.walk(dist_info):
        for name in names:
            own.append(entry + "/" + os.path.relpath(os.path.join(root, name), dist_info).replace(os.sep, "/"))
    return inside + sorted(own)


def describe(site):
    dists = []
    for entry in sorted(os.listdir(site)):
        if not entry.endswith(".dist-info"):
            continue
        path = os.path.join(site, entry)
        dist = metadata.PathDistribution(pathlib.Path(path)) if metadata else None
        # .get: a dist-info without METADATA is read from its directory name.
        fields = dist.metadata if dist is not None else None
        stem = entry[: -len(".dist-info")]
        name = (fields.get("Name") if fields is not None else None) or stem.rsplit("-", 1)[0]
        version = (fields.get("Version") if fields is not None else None) or (stem.rsplit("-", 1)[1] if "-" in stem else "0")
        record = read_record(path)
        dists.append({
            "name": name,
            "version": version,
            "distInfo": entry,
            "scripts": scripts_of(path, dist),
            "topLevels": top_levels(record),
            "requires": requires_of(path, dist),
            "files": files_of(path, record),
        })
    return dists


def main():
    request = json.load(sys.stdin)
    site = request["site"]
    entry = request.get("entry")
    json.dump({
        "dists": describe(site),
        "topLevels": top_levels(name + "/" if os.path.isdir(os.path.join(site, name)) else name
                                for name in os.listdir(site)),
        "entry": entry_check.check(site, entry, request.get("suffixes", [])) if entry else None,
    }, sys.stdout)


if __name__ == "__main__":
    main()
