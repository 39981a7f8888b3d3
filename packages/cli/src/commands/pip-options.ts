// Which command-line words pyzap hands to pip unchecked, and which look like
// a mistyped option of ours. Everything after `--` goes to pip as it is; before
// it, an option that is neither ours nor pip's is a usage error (naming the
// closest valid option) instead of a "pip failed" after a resolve.

// `pip install --help` of pip 23-25; options pip added later go after `--`.
const PIP_LONG = `abi break-system-packages build-option cache-dir cert check-build-dependencies client-cert compile
config-settings constraint debug disable-pip-version-check dry-run editable exists-action extra-index-url find-links
force-reinstall global-option group hash help ignore-installed ignore-requires-python implementation index-url
install-option isolated keyring-provider log no-binary no-build-isolation no-cache-dir no-clean no-color no-compile
no-deps no-index no-input no-python-version-warning no-use-pep517 no-warn-conflicts no-warn-script-location
only-binary platform pre prefer-binary prefix progress-bar proxy python python-version quiet report require-hashes
require-virtualenv requirement resume-retries retries root root-user-action src target timeout trusted-host upgrade
upgrade-strategy use-deprecated use-feature use-pep517 user verbose version`.split(/\s+/);
const PIP_SHORT = new Set(["-C", "-I", "-U", "-V", "-c", "-e", "-f", "-h", "-i", "-q", "-r", "-t", "-v"]);

/** The first word of `words` that is neither a pip option nor an option value, with our closest option; or null. */
export function findMistypedOption(words: string[], ours: string[]): { word: string; suggestion: string | null } | null {
  for (const word of words) {
    if (!word.startsWith("-") || word === "-") continue;
    if (word.startsWith("--")) {
      const name = word.slice(2).split("=")[0] ?? "";
      // optparse accepts any unambiguous prefix of a long option.
      if (PIP_LONG.includes(name) || PIP_LONG.filter((o) => o.startsWith(name)).length === 1) continue;
      return { word, suggestion: closest(name, ours) };
    }
    if (PIP_SHORT.has(word.slice(0, 2))) continue; // -r req.txt, -rreq.txt
    return { word, suggestion: closest(word.slice(1), ours) };
  }
  return null;
}

/** Our long option nearest to `name` (edit distance up to a third of its length), as "--name". */
function closest(name: string, ours: string[]): string | null {
  let best: { option: string; distance: number } | null = null;
  for (const option of ours) {
    const d = option.startsWith(name) && name.length >= 3 ? 0 : distance(name, option);
    if (d <= Math.max(1, Math.floor(option.length / 3)) && (!best || d < best.distance)) best = { option, distance: d };
  }
  return best ? `--${best.option}` : null;
}

// Levenshtein distance, small strings only.
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
