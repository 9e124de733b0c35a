/**
 * Runtime checks of messages from the host. The host is trusted more than the webview, but a bad
 * payload (an old host, a bug, a hand-edited results file) must produce a clear message, not a
 * blank panel or a TypeError.
 */
import type { HostToWebview, ResultsPayload } from "../../common/protocol";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why a payload cannot be shown, or undefined when it can. */
export function payloadProblem(p: unknown): string | undefined {
  if (!isObj(p)) return "results payload is not an object";
  if (typeof p.title !== "string") return "results payload has no title";
  if (!Array.isArray(p.runs)) return "results payload has no runs array";
  for (const [i, r] of p.runs.entries()) {
    if (!isObj(r)) return `run ${i} is not an object`;
    if (typeof r.scenario !== "string" || typeof r.mode !== "string") return `run ${i} lacks scenario/mode names`;
    if (!Array.isArray(r.probes)) return `run ${i} has no probes array`;
  }
  if (p.cells !== undefined && !Array.isArray(p.cells)) return "cells is not an array";
  if (p.claims !== undefined && !Array.isArray(p.claims)) return "claims is not an array";
  if (p.scenarioText !== undefined && typeof p.scenarioText !== "string") return "scenarioText is not a string";
  return undefined;
}

export type Checked = { ok: true; msg: HostToWebview } | { ok: false; why: string };

export function checkHostMessage(m: unknown): Checked {
  if (!isObj(m)) return { ok: false, why: "message is not an object" };
  switch (m.type) {
    case "results": {
      const why = payloadProblem(m.payload);
      return why ? { ok: false, why } : { ok: true, msg: { type: "results", payload: m.payload as unknown as ResultsPayload } };
    }
    case "progress": {
      const percent = typeof m.percent === "number" && Number.isFinite(m.percent) ? Math.min(100, Math.max(0, m.percent)) : 0;
      return { ok: true, msg: { type: "progress", percent, label: typeof m.label === "string" ? m.label : "" } };
    }
    case "error": {
      const int = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined);
      return {
        ok: true,
        msg: {
          type: "error",
          message: typeof m.message === "string" ? m.message : String(m.message),
          line: int(m.line),
          column: int(m.column),
        },
      };
    }
    default:
      return { ok: false, why: `unknown message type ${JSON.stringify(String(m.type)).slice(0, 60)}` };
  }
}

/** "line 3, column 7: message" (or just the message when the position is unknown). */
export function errorText(e: { message: string; line?: number; column?: number }): string {
  if (e.line === undefined) return e.message;
  return `line ${e.line}${e.column !== undefined ? `, column ${e.column}` : ""}: ${e.message}`;
}
