// The README's Quick start is what a new user types and what CI runs: keep it
// to two commands, without sudo, naming scripts that exist.
import { expect, test } from "vitest";
import { readRepo as read } from "./repo.js";

test("the README's Quick start: exactly two commands, no sudo, the scripts it names exist", () => {
  const readme = read("README.md");
  const block = /## Quick start\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = block.split("\n").filter(Boolean);
  expect(commands).toHaveLength(2);
  for (const command of commands) expect(command).not.toMatch(/\bsudo\b/);
  expect(commands[0]).toMatch(/^scripts\/install-deps\.sh && npm ci && npx pyzap bundle /);
  const ci = read(".ci/run");
  expect(ci).toContain("/^## Quick start/");
  // CI runs the README's test command and no other: the two must be the same text.
  expect(commands[1]).toBe(/^TEST_COMMAND="([^"]+)"$/m.exec(ci)?.[1]);
  expect(commands[1]).toMatch(/&& npm test$/);
  expect(readme).toContain("(docs/exit-codes.md)");
});
