// The cache root candidates, in the launcher's order (docs/format.md
// "Choosing ROOT"): which environment variables count, for root and others.
import { describe, expect, test } from "vitest";
import { candidates } from "./cli-src.js";

const paths = (env: NodeJS.ProcessEnv, euid: number) => candidates(env, euid).map((c) => c.path);
const FALLBACKS = (euid: number) => [`/var/tmp/pyzap-${euid}`, `/tmp/pyzap-${euid}`, `/dev/shm/pyzap-${euid}`];

describe("cache root candidates", () => {
  test("a user: $XDG_CACHE_HOME, then $XDG_RUNTIME_DIR, then the per-uid fallbacks", () => {
    const env = { HOME: "/home/ann", XDG_CACHE_HOME: "/home/ann/.xdg", XDG_RUNTIME_DIR: "/run/user/1000" };
    expect(paths(env, 1000)).toEqual(["/home/ann/.xdg/pyzap", "/run/user/1000/pyzap", ...FALLBACKS(1000)]);
  });

  test("a user without $XDG_CACHE_HOME: ~/.cache/pyzap, its parent created if missing", () => {
    const [first] = candidates({ HOME: "/home/ann" }, 1000);
    expect(first).toEqual({ path: "/home/ann/.cache/pyzap", source: "$HOME", makeParent: true, allowLink: false });
  });

  test("root uses /var/cache/pyzap and ignores $HOME and $XDG_CACHE_HOME", () => {
    expect(paths({ HOME: "/root", XDG_CACHE_HOME: "/root/.xdg" }, 0)).toEqual(["/var/cache/pyzap", ...FALLBACKS(0)]);
  });

  test("$PYZAP_CACHE comes first and may be a symlink; nothing else may", () => {
    const list = candidates({ PYZAP_CACHE: "/srv/cache", HOME: "/home/ann" }, 1000);
    expect(list.map((c) => [c.path, c.allowLink])).toEqual([
      ["/srv/cache", true],
      ["/home/ann/.cache/pyzap", false],
      ...FALLBACKS(1000).map((p) => [p, false]),
    ]);
  });

  test("relative $HOME, $XDG_CACHE_HOME and $XDG_RUNTIME_DIR are ignored, as the XDG spec says", () => {
    expect(paths({ HOME: "home/ann", XDG_CACHE_HOME: ".xdg", XDG_RUNTIME_DIR: "run" }, 1000)).toEqual(FALLBACKS(1000));
    expect(paths({ HOME: "/home/ann", XDG_CACHE_HOME: "relative" }, 1000)[0]).toBe("/home/ann/.cache/pyzap");
  });

  test("an empty $PYZAP_CACHE counts as unset", () => {
    expect(paths({ PYZAP_CACHE: "", HOME: "/home/ann" }, 1000)[0]).toBe("/home/ann/.cache/pyzap");
  });
});
