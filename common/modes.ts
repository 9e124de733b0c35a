/**
 * The names people read for the simulated modes (issue 11: the panel showed ids such as
 * "dynamic without boost_on_inject", and the same mode was "dynamic" in one table and "patches"
 * in another). Runs, JSON and the CLI keep the ids; the panel (and its CSV) and the host's texts
 * show these names, with the id in a tooltip. One home: the webview and the extension import it.
 */
// The catalogue's module, not sim-core/index or report/ablation: the webview bundles this file,
// and report/ brings @stdlib's Student-t code, whose evalpoly compiles with `new Function`, which
// the panel's CSP (no 'unsafe-eval') refuses.
import { MECHANISMS } from "../sim-core/pvsched/registry";

/** The three modes of the model, by the id sim-core gives their runs (`ModeName`). */
export const MODE_NAMES = {
  /** The kernel without the series and without chrt. */
  vanilla: "Vanilla",
  /** `chrt` SCHED_RR on every vCPU thread, all the time (the cover letter's static column). */
  static: "Static boost",
  /** The RFC series: every mechanism on, unless a mode switches some off. */
  dynamic: "Dynamic (series)",
} as const;

/** The baseline every delta is taken against. */
export const BASELINE_MODE = "vanilla";

/** Ids that name the same mode as one of the three: the seed report's audio column says "patches". */
const ALIASES: Record<string, keyof typeof MODE_NAMES> = { patches: "dynamic" };

/**
 * The name shown for a run's mode id: "Vanilla", "Static boost", "Dynamic (series)", "Dynamic
 * without Boost on interrupt injection (patch 4)" for an ablation, "A: Vanilla" for a run compared
 * from the history. A mode the scenario names itself keeps its own name.
 */
export function modeTitle(id: string): string {
  const compared = /^([A-Z]): (.+)$/.exec(id);
  if (compared) return `${compared[1]}: ${modeTitle(compared[2]!)}`;
  const base = ALIASES[id] ?? id;
  if (Object.hasOwn(MODE_NAMES, base)) return MODE_NAMES[base as keyof typeof MODE_NAMES];
  // report/ablation.ts's ABLATION_LABELS.without; test/common/modes.test.ts holds the two together.
  const m = MECHANISMS.find((x) => `dynamic without ${x.id}` === id);
  if (m) return `Dynamic without ${lowerFirst(m.label)} (patch ${m.patch})`;
  return id;
}

/** The mode the others are compared with: vanilla when it ran, else the first (runs compared from the history). */
export function baselineMode(modes: readonly string[]): string | undefined {
  return modes.includes(BASELINE_MODE) ? BASELINE_MODE : modes[0];
}

// "Boost on interrupt injection" reads as "without boost on interrupt injection"; an acronym
// ("PV sched shared memory") keeps its capitals.
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}
