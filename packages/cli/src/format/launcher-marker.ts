// The marker every launcher binary embeds ("pyzap-launcher X.Y.Z OS-ARCH",
// launcher-c/src/version.h): how the build checks a launcher and how inspect
// tells a bundle (or a truncated one) from any other file.

/** The version and target of the marker in `bytes`, or null. */
export function parseLauncherMarker(bytes: Buffer): { version: string; target: string } | null {
  const m = /pyzap-launcher (\d+\.\d+\.\d+) ([\w-]+)/.exec(bytes.toString("latin1"));
  return m?.[1] && m[2] ? { version: m[1], target: m[2] } : null;
}
