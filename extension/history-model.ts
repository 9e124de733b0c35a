/**
 * The run history as data: its index (newest first, capped), the results-file format it shares
 * with Export (`*.pvsched-results.json`: the panel's payload as JSON, timelines as lists), and the
 * payload that compares two entries. Pure: no VS Code imports (unit-tested in
 * test/extension/history-model.test.ts).
 */
import { payloadProblem, type ResultsPayload } from "../common/protocol";
import { safeFileName } from "../common/escape";
import { compareModes } from "../report/effects";
import { typedArraysAsLists } from "../sim-core/timeline-read";

/** How many runs the history keeps; the oldest entry's file is deleted when a new one comes. */
export const HISTORY_MAX = 20;

/** The suffix that opens a results file in the read-only results editor. */
export const RESULTS_FILE_SUFFIX = ".pvsched-results.json";

export interface HistoryEntry {
  /** Unique within the history; also the stem of its file. */
  id: string;
  title: string;
  kind: string;
  /** Epoch milliseconds of when the results arrived. */
  when: number;
  runs: number;
}

/** A file name for results titled `title`, ending in RESULTS_FILE_SUFFIX. */
export function resultsFileName(title: string): string {
  const stem = safeFileName(title.slice(0, 70), "json").replace(/\.json$/, "");
  return `${stem}${RESULTS_FILE_SUFFIX}`;
}

/** The history's file name of an entry. */
export function entryFileName(e: Pick<HistoryEntry, "id">): string {
  return `${e.id}${RESULTS_FILE_SUFFIX}`;
}

/** A new entry for `payload`, its id unique among `existing` ones. */
export function newEntry(payload: ResultsPayload, when: number, existing: readonly HistoryEntry[]): HistoryEntry {
  const base = `run-${when.toString(36)}`;
  let id = base;
  for (let i = 1; existing.some((e) => e.id === id); i++) id = `${base}-${i}`;
  return { id, title: payload.title, kind: payload.source.kind, when, runs: payload.runs.length };
}

/** The index with `entry` first, and the entries that fell off the end (their files go). */
export function addEntry(
  list: readonly HistoryEntry[],
  entry: HistoryEntry,
  max = HISTORY_MAX,
): { list: HistoryEntry[]; evicted: HistoryEntry[] } {
  const all = [entry, ...list.filter((e) => e.id !== entry.id)];
  return { list: all.slice(0, max), evicted: all.slice(max) };
}

/** The index as read from storage: entries of the wrong shape are dropped, not fatal. */
export function parseIndex(text: string | undefined): HistoryEntry[] {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (e): e is HistoryEntry =>
      typeof e === "object" &&
      e !== null &&
      typeof e.id === "string" &&
      /^[A-Za-z0-9_-]{1,64}$/.test(e.id) &&
      typeof e.title === "string" &&
      typeof e.kind === "string" &&
      typeof e.when === "number" &&
      typeof e.runs === "number",
  );
}

/** A results file's text: the payload, typed arrays written as lists. */
export function resultsFileText(p: ResultsPayload): string {
  return JSON.stringify(p, typedArraysAsLists, 2) + "\n";
}

/** A results file read back: the payload, or why it cannot be shown (one line). */
export function parseResultsFile(text: string): { payload: ResultsPayload } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const why = payloadProblem(raw);
  if (why) return { problem: why };
  const p = raw as ResultsPayload;
  if (typeof p.source !== "object" || p.source === null || typeof p.source.kind !== "string")
    return { problem: "results payload has no source" };
  return { payload: p };
}

/** "3 runs · 14:22:05" (local time of `when`). */
export function entryDescription(e: HistoryEntry): string {
  const d = new Date(e.when);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  return `${e.runs} run${e.runs === 1 ? "" : "s"} \u00b7 ${hms}`;
}

/**
 * Two results side by side: every run of each, its mode prefixed by "A: " or "B: ", compared
 * against A's first mode. The runs keep their numbers; only the labels change.
 */
export function comparePayloads(a: ResultsPayload, b: ResultsPayload): ResultsPayload {
  const tag = (p: ResultsPayload, t: string) => p.runs.map((r) => ({ ...r, mode: `${t}: ${r.mode}` }));
  const runs = [...tag(a, "A"), ...tag(b, "B")];
  const first = runs[0]?.mode;
  return {
    title: `A: ${a.title} \u2194 B: ${b.title}`,
    source: { kind: "compare" },
    runs,
    comparison: runs.length ? compareModes(runs, first) : undefined,
  };
}
