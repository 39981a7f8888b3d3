// The human units every cache command reads and prints.
import { describe, expect, test } from "vitest";
import { PyzapError, humanAgo, humanBytes, parseDuration, parseSize, table } from "./cli-src.js";

describe("--max-size values", () => {
  test.each([
    ["4096", 4096],
    ["2G", 2 * 1024 ** 3],
    ["500m", 500 * 1024 ** 2],
    ["1.5GiB", 1.5 * 1024 ** 3],
    ["10 KB", 10 * 1024],
    ["1T", 1024 ** 4],
  ])("%s is %d bytes", (value, bytes) => {
    expect(parseSize("--max-size", value)).toBe(bytes);
  });

  test.each(["", "G", "-1G", "2X", "2GG", "two"])("%j is a usage error naming the option and value", (value) => {
    expect(() => parseSize("--max-size", value)).toThrow(PyzapError);
    expect(() => parseSize("--max-size", value)).toThrow(`the --max-size option is not a size: ${value}`);
  });
});

describe("--older-than values", () => {
  test.each([
    ["45s", 45_000],
    ["90m", 90 * 60_000],
    ["12h", 12 * 3_600_000],
    ["30d", 30 * 86_400_000],
    ["2w", 14 * 86_400_000],
  ])("%s is %d ms", (value, ms) => {
    expect(parseDuration("--older-than", value)).toBe(ms);
  });

  test.each(["30", "d", "30y", "-1d"])("%j is a usage error (a unit is required)", (value) => {
    expect(() => parseDuration("--older-than", value)).toThrow(`the --older-than option is not a duration: ${value}`);
  });
});

test("sizes print in binary units, one decimal under 10", () => {
  expect([0, 1023, 1024, 1536, 10 * 1024, 5 * 1024 ** 2, 3 * 1024 ** 4, 2048 * 1024 ** 4].map(humanBytes)).toEqual([
    "0 B",
    "1023 B",
    "1.0 KiB",
    "1.5 KiB",
    "10 KiB",
    "5.0 MiB",
    "3.0 TiB",
    "2048 TiB",
  ]);
});

test("ages print in the largest whole unit; unknown is '-'", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  const ago = (s: number) => humanAgo(new Date(now - s * 1000).toISOString(), now);
  expect([ago(5), ago(125), ago(3 * 3600), ago(2 * 86400), humanAgo(null, now)]).toEqual(["5 s ago", "2 min ago", "3 h ago", "2 d ago", "-"]);
  expect(ago(-30)).toBe("0 s ago"); // a clock step backwards is not a negative age
});

test("tables: left-aligned columns two spaces apart, no trailing blanks", () => {
  expect(table(["KEY", "SIZE"], [["abc", "1 B"], ["a", "10 KiB"]])).toBe("KEY  SIZE\nabc  1 B\na    10 KiB\n");
});
