import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/wheelhouse.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
