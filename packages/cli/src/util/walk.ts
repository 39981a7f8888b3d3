// Lists the files of a site-packages tree, relative, '/'-separated, sorted.
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { PyzapError } from "./errors.js";

export interface TreeFile {
  rel: string; // "pkg/mod.py"
  abs: string;
  size: number;
  executable: boolean;
}

// pip --target leaves console-script wrappers in bin/; bundles run entry points directly.
const SKIP_TOP = new Set(["bin", "__pycache__"]);

export function walkTree(root: string): TreeFile[] {
  const files: TreeFile[] = [];
  const realRoot = realpathSync(root);
  const visit = (dir: string, relDir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      checkName(rel);
      if (entry.name === "__pycache__" || (!relDir && SKIP_TOP.has(entry.name))) continue;
      const abs = path.join(dir, entry.name);
      // Follow symlinks to files (their content is what the app sees); never
      // descend through a symlinked directory, which could loop or escape.
      const st = entry.isSymbolicLink() ? statOrNull(abs) : lstatSync(abs);
      if (!st) continue;
      if (entry.isSymbolicLink() && st.isFile()) checkLinkInside(rel, abs, realRoot);
      if (st.isDirectory()) {
        if (!entry.isSymbolicLink()) visit(abs, rel);
      } else if (st.isFile()) {
        files.push({ rel, abs, size: st.size, executable: (st.mode & 0o111) !== 0 });
      }
    }
  };
  visit(root, "");
  return files.sort((a, b) => compareBytes(a.rel, b.rel));
}

/** Bytewise order, the order the launcher's cfg and the archive use. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

// A file symlink is bundled by content: one leading outside the tree would
// copy a file of the build machine (say ~/.ssh/id_rsa) into the bundle.
function checkLinkInside(rel: string, abs: string, realRoot: string): void {
  const target = realpathSync(abs);
  if (!target.startsWith(realRoot + path.sep)) {
    throw new PyzapError("BAD_ARCHIVE", `refusing to bundle ${rel}: it is a symlink to ${target}, outside ${realRoot}`, {
      hint: "copy the file into the tree, or remove the link",
    });
  }
}

// The launcher's cfg is line-based and zip names must be plain relative paths.
function checkName(rel: string): void {
  if (/[\n\r\0\\]/.test(rel)) {
    throw new PyzapError("BAD_ARCHIVE", `refusing to bundle a file whose name has a newline, NUL or backslash: ${JSON.stringify(rel)}`);
  }
}
