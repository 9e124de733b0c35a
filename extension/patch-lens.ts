/**
 * CodeLens on patch hunks (`*.patch`, `*.diff`, `*.mbox`, `*.eml`, any document in the diff
 * language, inside the workspace or not): the mechanism each hunk maps to, an action that
 * simulates with and without it, and — after a run — its effect in a few words, or that the
 * scenario never exercised it with an offer of the scenario that does. An unmapped hunk gets
 * "Map this hunk…", which writes a rule to `.vscode/pvsched-hunk-map.json`. The hover on a
 * hunk's `@@` line says the same at length. `pvsched.lens.enabled`: auto shows lenses only on a
 * document with at least one mapped hunk, on shows them on every patch, off shows none.
 *
 * The per-workspace override map is only read in a trusted workspace (Restricted Mode uses the
 * built-in map); lenses themselves are read-only and always shown.
 *
 * Parsing and mapping run in a worker (runner/patch-jobs.ts), never on the extension host's
 * thread: the providers await the worker's answer, cached per document version, and a request
 * VS Code cancels (or a newer version of the document) drops its job.
 */
import * as vscode from "vscode";
import { LENS_MAX_CHARS, tooLargeForLenses, type LensHunk, type PatchLensData } from "../patch/lens";
import { MAX_HUNK_MAP_BYTES, parseHunkMapText, suggestRule, type HunkMapFile, type HunkMapRule, type MappedHunk } from "../patch/mapper";
import { CancelledError } from "../runner/index";
import type { PatchJobs } from "../runner/patch-jobs";
import { MECHANISMS, type MechanismId } from "../sim-core/index";
import { escapeControls } from "../common/escape";
import { commandId } from "./commands/ids";
import { EXERCISED_BY } from "./exercise";

export const PATCH_SELECTOR: vscode.DocumentSelector = [
  { language: "diff" },
  { pattern: "**/*.patch" },
  { pattern: "**/*.diff" },
  { pattern: "**/*.mbox" },
  { pattern: "**/*.eml" },
];

export type LensMode = "auto" | "on" | "off";

/** What the lenses and the hover know of a mechanism after its last ablation. */
export interface MechanismState {
  /** The lens text of the last ablation. */
  effect?: string;
  /** The last ablation's scenario never fired the mechanism (its name). */
  notExercisedIn?: string;
}

export const OVERRIDE_FILE = ".vscode/pvsched-hunk-map.json";

export interface HunkArgs {
  uri: string;
  line: number;
  mechanism?: MechanismId;
  /** A built-in scenario to run instead of the default (extension/exercise.ts). */
  scenario?: string;
}

function labelOf(mechanism: string): { patch: number | null; label: string } {
  const m = MECHANISMS.find((x) => x.id === mechanism);
  return m ? { patch: m.patch, label: m.label } : { patch: null, label: mechanism };
}

/** Per-workspace-folder hunk maps (override layered over the defaults), as read and validated. */
export class HunkMaps {
  private readonly maps = new Map<string, HunkMapFile>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly log: (s: string) => void,
    /** Shows a warning notification (escaped by the caller's context). */
    private readonly warn: (text: string) => void,
  ) {}

  /** The folder's override map, or null for the built-in catalogue; the same object until a reload. */
  forDocument(uri: vscode.Uri): HunkMapFile | null {
    if (!vscode.workspace.isTrusted) return null;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.maps.get(folder.uri.toString())) ?? null;
  }

  /** Re-reads every folder's override file (only in a trusted workspace). */
  async reload(): Promise<void> {
    this.maps.clear();
    if (vscode.workspace.isTrusted) {
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        const file = vscode.Uri.joinPath(f.uri, OVERRIDE_FILE);
        const size = await vscode.workspace.fs.stat(file).then(
          (st) => st.size,
          () => undefined,
        );
        if (size !== undefined && size > MAX_HUNK_MAP_BYTES) {
          this.warn(`PV Sched: ${OVERRIDE_FILE} is ${size} bytes, over the ${MAX_HUNK_MAP_BYTES}-byte limit, and is ignored.`);
          continue;
        }
        const text = await readText(file);
        if (text === undefined) continue;
        const { map, errors } = parseHunkMapText(text);
        if (!map) {
          const first = errors[0];
          this.log(`${file.toString()}: ignored: ${first ? `${first.path || "/"}: ${first.message}` : "invalid"}`);
          this.warn(`PV Sched: ${OVERRIDE_FILE} is not a valid hunk map and is ignored (${first?.message ?? "invalid"}).`);
          continue;
        }
        this.maps.set(f.uri.toString(), map);
      }
    }
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** The lens data of patch documents, from the lens worker (runner/patch-jobs.ts). */
export class PatchIndex {
  constructor(
    private readonly maps: HunkMaps,
    private readonly jobs: PatchJobs,
  ) {}

  /**
   * The document's lens data at its current version. Undefined when the request was cancelled
   * (`token`) or a newer version of the document was asked for meanwhile.
   */
  async get(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<PatchLensData | undefined> {
    // The length without copying the text: the offset of the end of the last line.
    const chars = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    if (chars > LENS_MAX_CHARS) return tooLargeForLenses(chars, doc.lineCount);
    const abort = new AbortController();
    const sub = token?.onCancellationRequested(() => abort.abort());
    if (token?.isCancellationRequested) abort.abort();
    const version = doc.version;
    try {
      return await this.jobs.get(
        {
          uri: doc.uri.toString(),
          version,
          map: this.maps.forDocument(doc.uri),
          // Read when the job starts: a document edited meanwhile is not parsed under the old version.
          text: () => (doc.version === version ? doc.getText() : undefined),
        },
        abort.signal,
      );
    } catch (e) {
      if (e instanceof CancelledError) return undefined;
      throw e;
    } finally {
      sub?.dispose();
    }
  }

  forget(uri: vscode.Uri): void {
    this.jobs.forget(uri.toString());
  }

  clear(): void {
    this.jobs.clear();
  }
}

export class PatchLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly index: PatchIndex,
    private readonly stateOf: (m: MechanismId) => MechanismState,
    private readonly mode: () => LensMode,
    /** Called with the mapped mechanisms of a document that gets lenses, in hunk order (to warm the pool). */
    private readonly onMapped: (m: readonly MechanismId[]) => void = () => {},
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    const mode = this.mode();
    if (mode === "off") return [];
    const data = await this.index.get(doc, token);
    if (!data) return [];
    const { hunks, refused } = data;
    // A document refused whole (too large, binary, too slow) gets one lens that says why, where it opens.
    if (refused && hunks.length === 0) {
      const range = new vscode.Range(refused.line, 0, refused.line, 0);
      return [new vscode.CodeLens(range, { title: `PV Sched: ${escapeControls(refused.reason)}`, command: "" })];
    }
    // auto: a diff that implements none of the series' mechanisms gets no lenses at all.
    const mapped = hunks.flatMap((h) => (h.mechanism ? [h.mechanism as MechanismId] : []));
    if (mode === "auto" && !mapped.length) return [];
    if (mapped.length) this.onMapped(mapped);
    const lenses: vscode.CodeLens[] = [];
    for (const h of hunks) {
      const range = new vscode.Range(h.line, 0, h.line, 0);
      const args: HunkArgs = { uri: doc.uri.toString(), line: h.line };
      if (!h.mechanism) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: "Map this hunk\u2026",
            command: commandId("mapHunk"),
            arguments: [args],
            tooltip: `No rule maps this hunk of ${h.file}: ${h.reason}`,
          }),
        );
        continue;
      }
      const mech = h.mechanism as MechanismId;
      const { patch, label } = labelOf(mech);
      const n = patch ?? h.patchIndex;
      const exerciser = EXERCISED_BY[mech];
      lenses.push(
        new vscode.CodeLens(range, {
          title: `Patch ${n ?? "?"} \u00b7 ${label}`,
          command: "",
          tooltip: `${mech}: ${h.reason}`,
        }),
      );
      lenses.push(
        new vscode.CodeLens(range, {
          title: "\u25b6 Simulate with/without",
          command: commandId("simulateHunk"),
          arguments: [{ ...args, mechanism: mech }],
          tooltip: `Run ${exerciser?.scenario ?? "the default scenario"} (or pvsched.ablation.scenario) with all mechanisms, without ${mech}, and vanilla`,
        }),
      );
      const state = this.stateOf(mech);
      if (state.effect) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: state.effect,
            command: commandId("showResults"),
            arguments: [{ mechanism: mech }],
            tooltip: state.notExercisedIn
              ? `${mech} never acted in ${state.notExercisedIn}: its counter stayed at 0. Click to show the runs.`
              : `Effect of ${mech}: dynamic with it vs. without it. Click to show the runs.`,
          }),
        );
      }
      if (state.notExercisedIn && exerciser) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: `\u25b6 Simulate in ${scenarioLabel(exerciser.scenario)}`,
            command: commandId("simulateHunk"),
            arguments: [{ ...args, mechanism: mech, scenario: exerciser.scenario }],
            tooltip: `A scenario that exercises ${mech}: ${exerciser.why}`,
          }),
        );
      }
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** "per-vm-switch-off" from "scenarios/lens/per-vm-switch-off.pvsched.yaml". */
export function scenarioLabel(path: string): string {
  return (path.split("/").pop() ?? path).replace(/\.pvsched\.ya?ml$/, "");
}

/** The hover on a mapped hunk's `@@` line: the mechanism, why the hunk maps to it, and the last result. */
export class PatchHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly index: PatchIndex,
    private readonly stateOf: (m: MechanismId) => MechanismState,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token?: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const h = (await this.index.get(doc, token))?.hunks.find((x) => x.line === pos.line);
    if (!h) return undefined;
    const md = new vscode.MarkdownString();
    if (!h.mechanism) {
      md.appendMarkdown("**Not mapped to a mechanism of the series**\n\n");
      md.appendText(h.reason);
      return new vscode.Hover(md, doc.lineAt(pos.line).range);
    }
    const mech = h.mechanism as MechanismId;
    const info = MECHANISMS.find((m) => m.id === mech);
    md.appendMarkdown(`**Patch ${info?.patch ?? "?"} \u00b7 `);
    md.appendText(info?.label ?? mech);
    md.appendMarkdown(`** (\`${mech}\`)\n\n`);
    if (info) md.appendText(`${info.summary}\n\n`);
    md.appendMarkdown("*Why this hunk:* ");
    md.appendText(`${h.reason}\n\n`);
    const state = this.stateOf(mech);
    md.appendMarkdown("*Last result:* ");
    md.appendText(state.effect ?? "not simulated yet (use \u25b6 Simulate with/without)");
    const ex = EXERCISED_BY[mech];
    if (ex) {
      md.appendMarkdown("\n\n*Exercised by:* ");
      md.appendText(`${ex.scenario} (${ex.why})`);
    }
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }
}

/** A hunk by document line, for commands invoked from a lens. */
export async function hunkAt(index: PatchIndex, doc: vscode.TextDocument, line: number): Promise<LensHunk | undefined> {
  const hunks = (await index.get(doc))?.hunks ?? [];
  return hunks.find((h) => h.line === line) ?? hunks.find((h) => line >= h.line && line <= h.endLine);
}

/**
 * The rule that "Map this hunk…" writes: keyed on the hunk's code (the names it defines and calls,
 * then its other distinctive identifiers, and its enclosing function), never on the subject or
 * the patch number, so it maps the same code in any respin of the series.
 */
export function ruleForHunk(h: MappedHunk, added: string[], mechanism: MechanismId): HunkMapRule {
  const rule = suggestRule(h.file, { identifiersAdded: added, code: h.code, funcContext: h.funcContext }, mechanism);
  rule.note = `mapped in the editor from ${h.messageId ? `<${h.messageId}>` : h.file}`;
  return rule;
}

/** Adds a rule at the front of a workspace folder's override file (creating it if needed). */
export async function addOverrideRule(folder: vscode.Uri, rule: HunkMapRule): Promise<vscode.Uri> {
  const file = vscode.Uri.joinPath(folder, OVERRIDE_FILE);
  const text = await readText(file);
  let map: HunkMapFile = { extends: "default", rules: [] };
  if (text !== undefined) {
    const r = parseHunkMapText(text);
    if (!r.map) throw new Error(`${OVERRIDE_FILE} is not a valid hunk map (${r.errors[0]?.message ?? "invalid"}); fix it first`);
    map = r.map;
  }
  map.rules = [rule, ...map.rules];
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, ".vscode"));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(map, null, 2) + "\n"));
  return file;
}
