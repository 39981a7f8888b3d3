// Which import name the native finder serves an extension module under: the
// interpreter's suffixes decide (longest first), not a fixed ".so" rule.
import { expect, test } from "vitest";
import { extensionModuleName } from "./cli-src.js";

// The suffixes of a CPython 3.12 on aarch64: deliberately not this machine's.
const SUFFIXES = [".cpython-312-aarch64-linux-gnu.so", ".abi3.so", ".so"];

test.each([
  ["pkg/_speed.cpython-312-aarch64-linux-gnu.so", "pkg._speed"],
  ["pkg/sub/_c.abi3.so", "pkg.sub._c"],
  ["top.so", "top"],
  ["nativepkg/__init__.cpython-312-aarch64-linux-gnu.so", "nativepkg"],
  ["pkg/_é.so", "pkg._é"],
])("%s is imported as %s", (rel, name) => {
  expect(extensionModuleName(rel, SUFFIXES)).toBe(name);
});

test.each([
  ["pkg.libs/libfoo-1a2b.so.1", "a versioned soname"],
  ["pkg/_speed.cpython-311-x86_64-linux-gnu.pyd", "another platform's suffix"],
  ["pkg-1.0.data/x.so", "a directory that is not an identifier"],
  ["pkg/2fast.so", "a name that is not an identifier"],
])("%s is not an importable module (%s)", (rel) => {
  expect(extensionModuleName(rel, SUFFIXES)).toBeNull();
});
