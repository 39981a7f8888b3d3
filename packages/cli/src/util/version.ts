// The CLI's version, also written into every bundle's manifest. Its one
// source is this package's package.json ("npm version X --workspaces" changes
// it); launcher-c/Makefile builds the launcher's marker from the same file.
import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";

export const VERSION: string = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
