// An existing environment given with --site-packages: which Python it was made
// for (pyvenv.cfg, or the lib/pythonX.Y/site-packages path), so the bundle is
// built and labelled for that Python and not for whatever python3 is on PATH.
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface SiteOrigin {
  /** "3.12", from pyvenv.cfg's version or the path. */
  requires: string | null;
  /** The venv's own interpreter (DIR/bin/python3), if it can run here. */
  python: string | null;
  /** What told us: "/srv/venv/pyvenv.cfg" or the path itself. */
  source: string;
}

export function siteOrigin(sitePackages: string): SiteOrigin {
  const dir = path.resolve(sitePackages);
  const fromPath = /\/lib\/python(\d+\.\d+)\/site-packages\/?$/.exec(dir)?.[1] ?? null;
  // venv/lib/pythonX.Y/site-packages -> venv/pyvenv.cfg
  for (let up = dir, i = 0; i < 4; i++, up = path.dirname(up)) {
    const cfg = path.join(up, "pyvenv.cfg");
    if (!existsSync(cfg)) continue;
    const values = parseCfg(readFileSync(cfg, "utf8"));
    const version = values.version_info ?? values.version ?? null;
    const requires = version ? (/^(\d+\.\d+)/.exec(version)?.[1] ?? fromPath) : fromPath;
    const candidates = [path.join(up, "bin", requires ? `python${requires}` : "python3"), path.join(up, "bin", "python3"), path.join(up, "bin", "python")];
    if (values.home && requires) candidates.push(path.join(values.home, `python${requires}`));
    return { requires, python: candidates.find(isExecutable) ?? null, source: cfg };
  }
  return { requires: fromPath, python: null, source: dir };
}

// pyvenv.cfg: "key = value" lines (venv, virtualenv and uv all write it so).
function parseCfg(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return values;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
