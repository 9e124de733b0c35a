/**
 * The run history: every result the panel shows is also written as a results file
 * (`<id>.pvsched-results.json`, the Export format) under the extension's workspace storage (the
 * global storage without a workspace), with an index beside it. The "PV Sched" activity bar view
 * lists the entries; each reopens, compares with another, or exports. After a reload the newest
 * entry is what the panel and Export use, so results are not lost with the window.
 */
import * as vscode from "vscode";
import type { ResultsPayload } from "../common/protocol";
import { commandId } from "./commands/ids";
import {
  addEntry,
  entryDescription,
  entryFileName,
  HISTORY_MAX,
  newEntry,
  parseIndex,
  parseResultsFile,
  resultsFileText,
  type HistoryEntry,
} from "./history-model";

const INDEX_FILE = "index.json";

export class RunHistory implements vscode.TreeDataProvider<HistoryEntry> {
  private entries: HistoryEntry[] = [];
  private readonly loaded: Promise<void>;
  /** Writes in order: an add never races the index write of the one before. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly dir: vscode.Uri,
    private readonly log: (s: string) => void,
  ) {
    this.loaded = this.read();
  }

  private async read(): Promise<void> {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.dir, INDEX_FILE));
      this.entries = parseIndex(new TextDecoder().decode(bytes));
    } catch {
      this.entries = [];
    }
    this.changed.fire();
  }

  /** The entries, newest first. */
  async list(): Promise<readonly HistoryEntry[]> {
    await this.loaded;
    return this.entries;
  }

  fileOf(e: HistoryEntry): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, entryFileName(e));
  }

  /** Records results; resolves to their entry once the file and the index are written. */
  add(payload: ResultsPayload): Promise<HistoryEntry> {
    const job = this.chain.then(async () => {
      await this.loaded;
      const entry = newEntry(payload, Date.now(), this.entries);
      await vscode.workspace.fs.createDirectory(this.dir);
      await vscode.workspace.fs.writeFile(this.fileOf(entry), new TextEncoder().encode(resultsFileText(payload)));
      const { list, evicted } = addEntry(this.entries, entry, HISTORY_MAX);
      this.entries = list;
      await this.writeIndex();
      for (const e of evicted) await vscode.workspace.fs.delete(this.fileOf(e)).then(undefined, () => undefined);
      this.changed.fire();
      return entry;
    });
    this.chain = job.catch((e) => this.log(`history: could not record results: ${e instanceof Error ? e.message : String(e)}`));
    return job;
  }

  private async writeIndex(): Promise<void> {
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(this.dir, INDEX_FILE), new TextEncoder().encode(JSON.stringify(this.entries)));
  }

  /** An entry by id (or the entry itself, as the tree passes it). */
  async find(arg: unknown): Promise<HistoryEntry | undefined> {
    const id = typeof arg === "string" ? arg : typeof arg === "object" && arg && "id" in arg ? (arg as { id: unknown }).id : undefined;
    return (await this.list()).find((e) => e.id === id);
  }

  /** The results of an entry; throws a one-line message if its file is gone or damaged. */
  async load(e: HistoryEntry): Promise<ResultsPayload> {
    const bytes = await vscode.workspace.fs.readFile(this.fileOf(e));
    const r = parseResultsFile(new TextDecoder().decode(bytes));
    if ("problem" in r) throw new Error(`history entry "${e.title}": ${r.problem}`);
    return r.payload;
  }

  /** The newest results, if any (what a reloaded window shows and exports). */
  async latest(): Promise<ResultsPayload | undefined> {
    const [first] = await this.list();
    return first ? this.load(first).catch(() => undefined) : undefined;
  }

  getTreeItem(e: HistoryEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(e.title, vscode.TreeItemCollapsibleState.None);
    item.id = e.id;
    item.description = entryDescription(e);
    item.tooltip = `${e.title}\n${e.kind} \u00b7 ${e.runs} run(s) \u00b7 ${new Date(e.when).toLocaleString()}`;
    item.contextValue = "pvschedRun";
    item.iconPath = new vscode.ThemeIcon(e.kind === "seed" ? "table" : e.kind === "hunk" ? "git-compare" : "graph");
    item.command = { command: commandId("openRun"), title: "Open", arguments: [e.id] };
    return item;
  }

  async getChildren(parent?: HistoryEntry): Promise<HistoryEntry[]> {
    return parent ? [] : [...(await this.list())];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
