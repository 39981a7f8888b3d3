// Where things are inside a bundle's zip (docs/format.md, "Layout"): the
// names every stage, inspect and the tests use.

/** First entry of the central directory: what the launcher acts on. */
export const LAUNCHER_CFG = ".pyzap/launcher.cfg";
export const MANIFEST_NAME = ".pyzap/manifest.json";
/** The bootstrap (the `_pyzap` runtime and sitecustomize), imported from the archive. */
export const BOOT_PREFIX = ".pyzap/boot/";
/** The application's site-packages, imported from the archive. */
export const SITE_PREFIX = "site-packages/";
/** --standalone: the interpreter's files, a second cache entry listed by runtime.cfg. */
export const RUNTIME_CFG = ".pyzap/runtime.cfg";
export const RUNTIME_PREFIX = ".pyzap/runtime/";
/** A cache entry's copy of the cfg it was unpacked from (ROOT/KEY/entry.cfg). */
export const ENTRY_CFG = "entry.cfg";
/** The sources of compiled modules, packed into xz chunks (N.xz) and their index. */
export const SOURCES_PREFIX = ".pyzap/sources/";
/** The bytecode of modules imported from the archive, in xz packs (N.xz) and their index. */
export const BYTECODE_PREFIX = ".pyzap/bytecode/";
