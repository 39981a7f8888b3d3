"""What the staged distributions declare (run by the build interpreter).

Reads JSON on stdin: {"site": DIR, "entry": "module:attr" or null,
"suffixes": [extension module suffixes]}. Prints JSON:

    {"dists": [{"name", "version", "distInfo", "scripts": [[name, target]...],
                "topLevels": [...]}...],
     "topLevels": [every top-level name in the tree],
     "entry": {"problem": str or null, "note": str or null} or null}

Console scripts come from importlib.metadata (the same parser pip and the
runtime use), the top-level names a distribution installed from its RECORD
read as CSV (paths may contain commas). The entry point is checked by
entry_check.
"""
import csv
import json
import os
import pathlib
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
        dists.append({
            "name": name,
            "version": version,
            "distInfo": entry,
            "scripts": scripts_of(path, dist),
            "topLevels": top_levels(read_record(path)),
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
