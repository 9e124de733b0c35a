/**
 * What a loader error is and how it reads: a field path, a range (line/column for people,
 * offset/length for editors), a severity, and one line of text with control characters escaped.
 */
import type { Document } from "yaml";
import { escapeControls } from "../common/escape";
import type { Scenario } from "../sim-core/index";

export type Severity = "error" | "warning";

export interface ScenarioError {
  /** The whole message, starting with the field path: `vms[0].vcpus: must be >= 1`. */
  message: string;
  /** Field path (`vms[0].vcpus`); "" for YAML syntax errors and whole-file problems. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  endLine: number;
  endColumn: number;
  /** 0-based offset into the text (UTF-16 code units, as editors count). */
  offset: number;
  length: number;
  severity: Severity;
}

export type LoadResult =
  | { ok: true; scenario: Scenario; doc: Document.Parsed; warnings: ScenarioError[] }
  | { ok: false; errors: ScenarioError[] };

export type Seg = string | number;

/** `["vms", 0, "vcpus"]` -> `vms[0].vcpus`. */
export function formatPath(segs: readonly Seg[]): string {
  let out = "";
  for (const s of segs) {
    if (typeof s === "number" || /^\d+$/.test(s)) out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/**
 * A one-line error: `file:line:col: vms[0].vcpus: must be >= 1`. Control characters (of the file
 * name, or of a message built elsewhere) are escaped: the line goes to a terminal.
 */
export function formatError(file: string, err: ScenarioError): string {
  const sev = err.severity === "warning" ? "warning: " : "";
  return escapeControls(`${file}:${err.line}:${err.column}: ${sev}${oneLine(err.message)}`);
}

export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** `vms.0.workloads.1` (the dot paths of sim-core's checkScenario) -> path segments. */
export function dotSegs(path: string): Seg[] {
  return path === "" ? [] : path.split(".").map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/** Errors with the same message at the same place, once. */
export function uniqueMessages(errs: ScenarioError[]): ScenarioError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.offset}|${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function byPosition(a: ScenarioError, b: ScenarioError): number {
  return a.offset - b.offset || a.message.localeCompare(b.message);
}
