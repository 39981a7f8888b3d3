// Names of the files of a site-packages tree as Python sees them: the
// top-level package a file belongs to and a .py's dotted module name. Used
// by the compile step (relative imports in findings) and the zip-safety
// decision, which must agree on them.

// Metadata directories hold no importable code.
const META_DIR = /\.(?:dist-info|egg-info|data)$/;

/** The top-level import name a site-packages file belongs to, or null (metadata, bin, .pth...). */
export function topLevelName(rel: string): string | null {
  const slash = rel.indexOf("/");
  if (slash >= 0) {
    const dir = rel.slice(0, slash);
    return META_DIR.test(dir) ? null : dir;
  }
  const m = /^([\p{ID_Start}_][\p{ID_Continue}]*)\.py$/u.exec(rel);
  return m?.[1] ?? null;
}

/** The dotted module name of a site-packages .py ("pkg/sub/__init__.py" -> "pkg.sub"), or null. */
export function moduleName(rel: string): { module: string; isPackage: boolean } | null {
  if (!rel.endsWith(".py") || topLevelName(rel) === null) return null;
  // Files that are not importable by name (cv2's config-3.py, exec'd by its
  // loader) are analysed too; the name only resolves relative imports.
  const parts = rel.slice(0, -3).split("/");
  const isPackage = parts[parts.length - 1] === "__init__";
  if (isPackage) parts.pop();
  return { module: parts.join("."), isPackage };
}
