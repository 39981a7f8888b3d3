// Which words before `--` pyzap passes to pip and which it refuses as a
// mistyped option of its own, with the suggestion users see ("did you mean
// --compress?"); end to end in test/bundle-options.test.ts, every case here.
import { describe, expect, test } from "vitest";
import { findMistypedOption } from "./cli-src.js";

const OURS = ["compress", "exclude", "output", "console-script", "entry-point", "python", "site-packages", "standalone", "unpack", "zip", "platform"];
const check = (...words: string[]) => findMistypedOption(words, OURS);

describe("findMistypedOption", () => {
  test("requirements, pip's options and their values go to pip", () => {
    expect(check("certbot", "requests==2.31", "./app", "-")).toBeNull();
    expect(check("--no-index", "--find-links", "/wheels", "--only-binary=:all:", "-r", "req.txt", "-rreq.txt", "-U", "-q")).toBeNull();
  });

  test("an unambiguous prefix of a pip option is pip's (optparse accepts it); an ambiguous one is not", () => {
    expect(check("--no-deps", "--no-ind")).toBeNull();
    expect(check("--trusted")).toBeNull();
    expect(check("--no-")).toEqual({ word: "--no-", suggestion: null });
  });

  test("a typo of ours is refused with our nearest option", () => {
    expect(check("certbot", "--compres", "6")).toEqual({ word: "--compres", suggestion: "--compress" });
    expect(check("--exlcude", "pip")).toEqual({ word: "--exlcude", suggestion: "--exclude" });
    expect(check("--consol-script=x")).toEqual({ word: "--consol-script=x", suggestion: "--console-script" });
    expect(check("--stand")).toEqual({ word: "--stand", suggestion: "--standalone" }); // a prefix of ours, 3+ letters
  });

  test("something near nothing is refused without a guess; the first bad word is the one named", () => {
    expect(check("--frobnicate")).toEqual({ word: "--frobnicate", suggestion: null });
    expect(check("-Z", "--frobnicate")).toEqual({ word: "-Z", suggestion: null });
  });
});
