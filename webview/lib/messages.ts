/**
 * Runtime checks of messages from the host. The host is trusted more than the webview, but a bad
 * payload (an old host, a bug, a hand-edited results file) must produce a clear message, not a
 * blank panel or a TypeError.
 */
import { payloadProblem, type HostToWebview, type ResultsPayload } from "../../common/protocol";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

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
    case "ended": {
      const outcomes = ["done", "cancelled", "failed", "superseded"] as const;
      const outcome = outcomes.find((o) => o === m.outcome);
      if (!outcome) return { ok: false, why: `unknown run outcome ${JSON.stringify(String(m.outcome)).slice(0, 40)}` };
      return { ok: true, msg: { type: "ended", outcome, label: typeof m.label === "string" ? m.label : "" } };
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
