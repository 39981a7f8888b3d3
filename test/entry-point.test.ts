// `pyzap bundle -e MODULE:FUNCTION` naming something the bundle lacks fails
// at build time with exit 6 and one line, before anything is compiled.
import { expect, test } from "vitest";
import { pyzap, tempDir } from "./helpers.js";
import { writeTree } from "./unit/scan-tree.js";

test("a missing function or module is exit 6, one line saying what, no stack trace, no output file", () => {
  const site = writeTree({ "app/__init__.py": "", "app/cli.py": "def main(): pass\n" });
  const out = `${tempDir()}/app.pyz`;
  const typo = pyzap(["bundle", "--site-packages", site, "-e", "app.cli:mian", "-o", out]);
  expect(typo.status).toBe(6);
  expect(typo.stderr).toMatch(/^pyzap: The "--entry-point" option names something the bundle lacks: app\.cli defines no mian \(.*app\/cli\.py\); the bundle's top-level packages are: app\n$/m);
  expect(typo.stderr).not.toContain("    at ");
  const missing = pyzap(["bundle", "--site-packages", site, "-e", "ap.cli:main", "-o", out]);
  expect(missing.status).toBe(6);
  expect(missing.stderr).toContain("module ap.cli is not in the bundle");
  expect(missing.stderr).toContain("the bundle's top-level packages are: app\n");
});
