/** The built-in seed scenarios (scenarios/seed/), compiled into the bundle by extension/build-config.mjs. */
declare const __PVSCHED_SEED_SCENARIOS__: Record<string, string> | undefined;

export const SEED_SCENARIOS: Record<string, string> =
  typeof __PVSCHED_SEED_SCENARIOS__ === "object" && __PVSCHED_SEED_SCENARIOS__ ? __PVSCHED_SEED_SCENARIOS__ : {};
export const SEED_DIR = "scenarios/seed";
/** The scenario the hunk lenses' ablation runs by default: the cover letter's busy -i 500 row. */
export const DEFAULT_ABLATION_SCENARIO = "cyclictest-busy-500.pvsched.yaml";

export function seedText(file: string): string {
  const t = SEED_SCENARIOS[file];
  if (t === undefined) throw new Error(`the built-in seed scenario ${SEED_DIR}/${file} is missing from this build`);
  return t;
}
