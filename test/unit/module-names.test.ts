// How site-packages paths map to Python names: the compile step resolves
// relative imports with them and the zip-safety decision groups files by
// top-level package, so both must read a path the same way.
import { expect, test } from "vitest";
import { moduleName, topLevelName } from "./cli-src.js";

test.each([
  ["pkg/sub/mod.py", "pkg"],
  ["pkg/data/file.txt", "pkg"],
  ["six.py", "six"],
  ["_cffi_backend.py", "_cffi_backend"],
  ["émoji.py", "émoji"], // PEP 3131 identifiers
  ["pkg-1.0.dist-info/RECORD", null],
  ["pkg-1.0.egg-info/PKG-INFO", null],
  ["pkg-1.0.data/scripts/tool", null],
  ["distutils-precedence.pth", null],
  ["config-3.py", null], // not an identifier: not importable by name
  ["README.txt", null],
])("topLevelName(%s) is %s", (rel, name) => {
  expect(topLevelName(rel)).toBe(name);
});

test.each([
  ["pkg/__init__.py", { module: "pkg", isPackage: true }],
  ["pkg/sub/__init__.py", { module: "pkg.sub", isPackage: true }],
  ["pkg/sub/mod.py", { module: "pkg.sub.mod", isPackage: false }],
  ["six.py", { module: "six", isPackage: false }],
  ["cv2/config-3.py", { module: "cv2.config-3", isPackage: false }], // exec'd by its loader, still analysed
  ["pkg/data/file.txt", null],
  ["pkg-1.0.dist-info/entry.py", null],
])("moduleName(%s)", (rel, expected) => {
  expect(moduleName(rel)).toEqual(expected);
});
