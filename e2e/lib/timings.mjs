// e2e/screenshots/timings.json: what the e2e run measured (issue 11's click-to-numbers time, issue
// 15's timeline open time, frame rate and memory), one key per measurement, kept across tests.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Sets `key` in `dir`/timings.json to `value` (with the time it was measured), keeping the other keys. */
export function recordTiming(dir, key, value) {
  const file = join(dir, "timings.json");
  /** @type {Record<string, unknown>} */
  let all = {};
  try {
    if (existsSync(file)) all = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    all = {};
  }
  all[key] = value;
  all.at = new Date().toISOString();
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
