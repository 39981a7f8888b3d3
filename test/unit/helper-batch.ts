// Runs one of the build helpers (packages/cli/helpers/NAME.py) on many
// requests in ONE Python process: each request goes through the helper's own
// main(), reading its JSON from stdin and writing its JSON to stdout exactly as
// when the CLI runs it, but without a Python start per test case (which made
// the unit project slow on a loaded machine).
import path from "node:path";
import { helperPath, type HelperName } from "../../packages/cli/src/util/helper.js";
import { runProcess } from "../../packages/cli/src/util/process.js";

const DRIVER = [
  "import io, json, sys",
  "requests = json.load(sys.stdin)",
  "sys.path.insert(0, sys.argv[1])", // where the CLI's `python HELPER.py` puts it
  "helper = __import__(sys.argv[2])",
  "answers = []",
  "for request in requests:",
  "    sys.stdin, sys.stdout = io.StringIO(json.dumps(request)), io.StringIO()",
  "    helper.main()",
  "    answers.append(json.loads(sys.stdout.getvalue()))",
  "sys.stdout = sys.__stdout__",
  "json.dump(answers, sys.stdout)",
].join("\n");

export async function runHelperBatch<T>(python: string, name: HelperName, requests: unknown[]): Promise<T[]> {
  const script = helperPath(name);
  // -E -s, as runHelper: the user's PYTHONPATH or user site must not change the answers.
  const result = await runProcess(python, ["-E", "-s", "-c", DRIVER, path.dirname(script), path.basename(script, ".py")], { input: JSON.stringify(requests) });
  if (result.status !== 0) throw new Error(`${name}.py failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout) as T[];
}
