// The one place the unit tests import the CLI's TypeScript sources from (run
// in-process, no build needed): when packages/cli/src moves files around, only
// these paths change.
export { candidates, dirProblem } from "../../packages/cli/src/cache/root.js";
export { lockAgeIsStale } from "../../packages/cli/src/cache/lockowner.js";
export { cfgText, entryCfg, fileLine, LIMITS, parseCfg, type CfgFile } from "../../packages/cli/src/format/cfg.js";
export { cacheKey } from "../../packages/cli/src/format/key.js";
export { findMistypedOption } from "../../packages/cli/src/commands/pip-options.js";
export { moduleName, topLevelName } from "../../packages/cli/src/stages/module-names.js";
export { scanAll } from "../../packages/cli/src/cache/scan.js";
export { EXIT_BUG, EXIT_CODES, PyzapError, type ErrorCode } from "../../packages/cli/src/util/errors.js";
export { parseLauncherMarker } from "../../packages/cli/src/format/launcher-marker.js";
export { choosePlatform, hostPlatform } from "../../packages/cli/src/stages/platform.js";
export { withProjectConfig } from "../../packages/cli/src/stages/project-config.js";
export type { BundleArgs } from "../../packages/cli/src/stages/options.js";
export { humanAgo, humanBytes, parseDuration, parseSize, table } from "../../packages/cli/src/util/units.js";
export { VERSION } from "../../packages/cli/src/util/version.js";
export { extensionModuleName } from "../../packages/cli/src/stages/classify.js";
export { decidePackages, type NativeKind } from "../../packages/cli/src/stages/zipunsafe.js";
export type { Finding } from "../../packages/cli/src/stages/compile.js";
export type { Distribution } from "../../packages/cli/src/stages/entrypoint.js";
export type { TreeFile } from "../../packages/cli/src/util/walk.js";
export { checkReadableBy, chooseEndRecord, classicEndRecord, sureToPass4GiB, whyZip64 } from "../../packages/cli/src/format/endrecord.js";
export { writeBundle } from "../../packages/cli/src/stages/write.js";
export type { ZipLayout } from "../../packages/cli/src/format/zipfix.js";
export type { ArchiveEntry } from "../../packages/cli/src/stages/write.js";
export { BUNDLE_OPTIONS, camel, commandLineOptions, configKeys } from "../../packages/cli/src/stages/options.js";
export { bundleCommand } from "../../packages/cli/src/commands/bundle.js";
export { longOptions, shortOptions } from "../../packages/cli/src/commands/declared-options.js";
