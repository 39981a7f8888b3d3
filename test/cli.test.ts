// The CLI's contract for bad input: one clear message, a distinct exit code,
// no stack trace; and pip arguments reach pip in the order they were given.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { ok, pyzap, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();

function expectCleanFailure(result: ReturnType<typeof pyzap>, code: number) {
  expect(result.status).toBe(code);
  expect(result.stderr).toMatch(/^pyzap: /m);
  expect(result.stderr).not.toMatch(/\n\s+at .+\.js:\d+/); // no stack trace
}

describe("pyzap bundle", () => {
  test("an unknown console script lists the ones the bundle has", () => {
    const result = pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-ext", "-c", "nope", "-o", path.join(dir, "x.pyz")]);
    expectCleanFailure(result, 6);
    expect(result.stderr).toContain('no console script named "nope"');
    expect(result.stderr).toContain("fixture-ext-demo (fixture-ext)");
  });

  test("a pip failure shows pip's own message and what pyzap ran", () => {
    const result = pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "no-such-distribution-xyz", "-c", "x"]);
    expectCleanFailure(result, 5);
    expect(result.stderr).toMatch(/No matching distribution found for no-such-distribution-xyz/);
    expect(result.stderr).toMatch(/pyzap: pip failed \(exit 1\); pyzap ran: .+ -m pip install --target .+ no-such-distribution-xyz/);
  });

  test("nothing to bundle is a usage error", () => {
    expectCleanFailure(pyzap(["bundle", "-c", "x"]), 2);
  });

  test("a missing --site-packages directory is named", () => {
    const result = pyzap(["bundle", "--site-packages", "/nonexistent/site", "-c", "x"]);
    expectCleanFailure(result, 3);
    expect(result.stderr).toContain('The "--site-packages" option is not a directory: /nonexistent/site');
  });

  test("a missing interpreter is named with the option that fixes it", () => {
    const result = pyzap(["bundle", "--python", "/nonexistent/python3", "x", "-c", "x"]);
    expectCleanFailure(result, 4);
    expect(result.stderr).toContain("/nonexistent/python3");
    expect(result.stderr).toContain("--python");
  });

  test("pip options and requirement files pass through in order", () => {
    const req = path.join(dir, "requirements.txt");
    writeFileSync(req, "fixture-ext==1.2.3\n");
    const out = path.join(dir, "from-req.pyz");
    ok(pyzap(["bundle", "--no-index", "-r", req, "--find-links", wheelhouse, "-c", "fixture-ext-demo", "-o", out]));
    const report = JSON.parse(ok(run(out, [], { PYZAP_CACHE: path.join(dir, "cache") })).stdout) as { sum: number };
    expect(report.sum).toBe(5);
  });

  test("--compress 0 stores every entry (a bigger file that runs the same); an out-of-range level is a usage error", () => {
    const stored = path.join(dir, "stored.pyz");
    const deflated = path.join(dir, "deflated.pyz");
    ok(pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-ext", "-c", "fixture-ext-demo", "-o", stored, "--compress", "0"]));
    ok(pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-ext", "-c", "fixture-ext-demo", "-o", deflated]));
    expect(ok(run("zipinfo", [stored])).stdout).not.toMatch(/ def[NXSF] /);
    expect(statSync(stored).size).toBeGreaterThan(statSync(deflated).size);
    const report = JSON.parse(ok(run(stored, [], { PYZAP_CACHE: path.join(dir, "cache") })).stdout) as { sum: number };
    expect(report.sum).toBe(5);
    const bad = pyzap(["bundle", "--site-packages", dir, "-c", "x", "--compress", "11"]);
    expectCleanFailure(bad, 2);
    expect(bad.stderr).toContain('The "--compress" option must be a whole number from 0 to 9, not 11');
  });

  test("-o defaults to NAME.pyz in the current directory", () => {
    ok(pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-ext", "-c", "fixture-ext-demo"], {}, dir));
    ok(run(path.join(dir, "fixture-ext-demo.pyz"), [], { PYZAP_CACHE: path.join(dir, "cache") }));
  });
});

test("pyzap --help lists the bundle command", () => {
  const result = ok(pyzap(["--help"]));
  expect(result.stdout).toMatch(/pyzap bundle/);
});

describe("CLI conventions", () => {
  test("pyzap --version prints the version", () => {
    expect(ok(pyzap(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("pyzap help bundle prints the bundle command's help with its examples", () => {
    const result = ok(pyzap(["help", "bundle"]));
    expect(result.stdout).toContain("--console-script");
    expect(result.stdout).toMatch(/Examples:/);
  });

  test.each([["inspect"], ["cache"], ["cache", "list"], ["cache", "prune"], ["cache", "clean"], ["cache", "verify"], ["cache", "dir"]])(
    "pyzap %s --help has examples",
    (...command) => {
      expect(ok(pyzap([...command, "--help"])).stdout).toMatch(/Examples:\n\s+pyzap /);
    },
  );

  test("unknown commands are usage errors", () => {
    expectCleanFailure(pyzap(["frobnicate"]), 2);
  });

});
