// Where this package's files are, for the modules that ship data beside the
// compiled code (helpers/, launchers/, runtime/): src/util/*.ts compiles to
// dist/util/*.js, so the package root is two levels up in both trees.
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
