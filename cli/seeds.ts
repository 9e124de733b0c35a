/**
 * The built-in seed scenarios. scripts/build.mjs compiles the files of scenarios/seed/ into the
 * bundle (`__PVSCHED_SEED_SCENARIOS__`), so the CLI works from any directory and when installed
 * without the scenario files. When the repository's scenarios/seed/ sits next to the code (a
 * checkout), those files win, so an edited seed never runs from a stale bundle.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { InputError } from "./errors";
import { readTextFile } from "./input";

declare const __PVSCHED_SEED_SCENARIOS__: Record<string, string> | undefined;

/** The seed texts and where they came from (a directory, or "built-in"), for messages. */
export function seedSource(dir?: string): { where: string; texts: Record<string, string> } {
  const d = dir ?? join(__dirname, "..", "scenarios", "seed");
  const fromDisk = readSeedDir(d);
  if (dir !== undefined || Object.keys(fromDisk).length > 0) return { where: relative(process.cwd(), d) || ".", texts: fromDisk };
  return { where: "built-in", texts: typeof __PVSCHED_SEED_SCENARIOS__ !== "undefined" ? __PVSCHED_SEED_SCENARIOS__ : {} };
}

function readSeedDir(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(d)) return out;
  let names: string[];
  try {
    names = readdirSync(d);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `${d}: ${code === "ENOTDIR" ? "not a directory of seed scenarios" : `cannot read (${code ?? (e as Error).message})`}`,
    );
  }
  // Each file goes through readTextFile, which refuses a FIFO or a link to a device by name.
  for (const f of names.sort()) if (/\.pvsched\.ya?ml$/.test(f)) out[f] = readTextFile(join(d, f));
  return out;
}
