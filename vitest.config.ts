// Four projects, so a change can be checked at the speed it needs:
//   npx vitest --project unit        in-process tests of pure logic (seconds)
//   npx vitest --project e2e         the real CLI builds and runs real bundles
//   npx vitest --project realapps    real applications (certbot, Apache, numpy...)
//   npx vitest --project hardening   fuzzing, hostile bundles, root-only mounts
// `npm test` (and CI) runs all four. Every test file belongs to exactly one
// project: e2e takes whatever the other three do not claim.
import { defineConfig } from "vitest/config";

const UNIT = ["test/unit/**/*.test.ts"];
const REALAPPS = ["test/realapps-*.test.ts", "test/realapps/**/*.test.ts"];
const HARDENING = ["test/hardening*.test.ts", "test/hardening/**/*.test.ts", "test/cache-root.test.ts"];

// Builds the fixture wheels once per run, shared by the projects that need them
// (test/setup/wheelhouse.ts); the unit project never pays for it.
const WHEELHOUSE = ["test/setup/wheelhouse.ts"];
const SLOW = { testTimeout: 180_000, hookTimeout: 300_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: UNIT } },
      { test: { name: "e2e", include: ["test/**/*.test.ts"], exclude: [...UNIT, ...REALAPPS, ...HARDENING], globalSetup: WHEELHOUSE, ...SLOW } },
      { test: { name: "realapps", include: REALAPPS, globalSetup: WHEELHOUSE, ...SLOW } },
      { test: { name: "hardening", include: HARDENING, globalSetup: WHEELHOUSE, ...SLOW } },
    ],
  },
});
