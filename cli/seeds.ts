/**
 * The built-in seed scenarios. scripts/build.mjs compiles the files of scenarios/seed/ into the
 * bundle (`__PVSCHED_SEED_SCENARIOS__`), so the CLI works from any directory; unbundled (tsx),
 * they are read from the repository.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readTextFile } from "./input";

declare const __PVSCHED_SEED_SCENARIOS__: Record<string, string> | undefined;

/** File name -> YAML text, sorted by file name. `dir` overrides the built-in set. */
export function seedTexts(dir?: string): Record<string, string> {
  if (dir === undefined && typeof __PVSCHED_SEED_SCENARIOS__ !== "undefined" && Object.keys(__PVSCHED_SEED_SCENARIOS__).length > 0)
    return __PVSCHED_SEED_SCENARIOS__;
  const d = dir ?? join(__dirname, "..", "scenarios", "seed");
  const out: Record<string, string> = {};
  if (!existsSync(d)) return out;
  for (const f of readdirSync(d).sort()) if (/\.pvsched\.ya?ml$/.test(f)) out[f] = readTextFile(join(d, f));
  return out;
}
