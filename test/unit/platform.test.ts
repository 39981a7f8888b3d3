// Which launcher a bundle gets: the platform of its native code, --platform,
// or this machine; and the marker that says what a launcher binary is for.
import { describe, expect, test } from "vitest";
import { PyzapError, VERSION, choosePlatform, hostPlatform, parseLauncherMarker } from "./cli-src.js";

const native = (rel: string, platform: string | null) => ({ rel, platform });

describe("choosePlatform", () => {
  test("pure Python: --platform if given, else this machine", () => {
    expect(choosePlatform([])).toBe(hostPlatform());
    expect(choosePlatform([native("a.txt", null)], "linux-arm64")).toBe("linux-arm64");
  });

  test("native code decides, whatever this machine is", () => {
    const other = hostPlatform() === "linux-arm64" ? "linux-x64" : "linux-arm64";
    expect(choosePlatform([native("m.so", other), native("n.so", other)])).toBe(other);
    expect(choosePlatform([native("m.so", other)], other)).toBe(other);
  });

  test("two platforms in one bundle: an error naming one file of each", () => {
    const mixed = () => choosePlatform([native("a/x.so", "linux-x64"), native("a/y.so", "linux-x64"), native("b/z.so", "linux-arm64")]);
    expect(mixed).toThrow(PyzapError);
    expect(mixed).toThrow("the bundle mixes native code for several platforms: linux-x64 (a/x.so), linux-arm64 (b/z.so)");
  });

  test("--platform that contradicts the native code is refused", () => {
    const wrong = () => choosePlatform([native("a/x.so", "linux-x64")], "linux-arm64");
    expect(wrong).toThrow("--platform linux-arm64 does not match the bundled native code: linux-x64 (a/x.so)");
    try {
      wrong();
    } catch (error) {
      expect((error as PyzapError).code).toBe("PLATFORM");
    }
  });
});

test("hostPlatform is npm's name for this machine", () => {
  expect(hostPlatform()).toBe(`${process.platform}-${process.arch}`);
});

describe("the launcher's marker", () => {
  const bytes = (text: string) => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), Buffer.from(text, "latin1"), Buffer.from([0, 0xff])]);

  test("is found among binary bytes", () => {
    expect(parseLauncherMarker(bytes(`pyzap-launcher ${VERSION} linux-aarch64`))).toEqual({ version: VERSION, target: "linux-aarch64" });
  });

  test("a binary without one is not a launcher", () => {
    expect(parseLauncherMarker(bytes("pyzap-launcher linux-x86_64"))).toBeNull();
    expect(parseLauncherMarker(Buffer.alloc(0))).toBeNull();
  });
});
