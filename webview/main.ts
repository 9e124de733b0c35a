/**
 * The results webview: tabs over a ResultsPayload (Summary, Seed report, Distributions, Timeline,
 * vCPUs, Scenario), progress and errors from the host, and exports. Talks to the host only with
 * the messages of protocol.ts.
 */
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-tabs/index.js";
import "@vscode-elements/elements/dist/vscode-tab-header/index.js";
import "@vscode-elements/elements/dist/vscode-tab-panel/index.js";
import "@vscode-elements/elements/dist/vscode-progress-bar/index.js";
// The panel's styles, in cascade order: base and tables, charts, the timeline, the other views.
import "./style.css";
import "./styles/charts.css";
import "./styles/timeline.css";
import "./styles/views.css";
import { isProvisional, type ResultsPayload, type WebviewToHost } from "../common/protocol";
import { boot } from "./boot";
import { h, on, replace } from "./dom";
import { checkHostMessage, errorText } from "./lib/messages";
import { allTables, tablesToCsv } from "./lib/tables";
import { safeFileName } from "../common/escape";
import { renderSummary } from "./views/summary";
import { renderSweep } from "./views/sweep";
import { sweepTables } from "./lib/sweep";
import { renderSeed } from "./views/seed";
import { renderDistributions, type ChartHost } from "./views/dist";
import { renderTimeline, type TimelineElement, type TimelineHost } from "./views/timeline";
import { renderWhy, type WhyHost } from "./views/why";
import { sampleWindow } from "./lib/why";
import { typedArraysAsLists } from "../sim-core/timeline-read";
import type { RunResult, SampleWhy } from "../sim-core/results";
import { renderVcpus } from "./views/vcpus";
import { createScenarioPanel } from "./views/scenario";
import { svgToFile } from "./views/svgexport";

const env = boot(document.currentScript as HTMLScriptElement | null);
const post = (m: WebviewToHost) => env.api.postMessage(m);

interface TabDef {
  id: string;
  label: string;
  render: () => HTMLElement;
  /** Heavy tabs render when first shown. */
  lazy?: boolean;
}

let payload: ResultsPayload | undefined;
let savedPayload: ResultsPayload | undefined;
let savedFor: ResultsPayload | undefined;
let currentTab = "summary";
let current: { svg: SVGSVGElement; name: string } | undefined;

const chartHost: ChartHost & TimelineHost = {
  setCurrent(svg, name) {
    current = { svg, name };
    svgBtn.removeAttribute("disabled");
  },
  exportSvg(svg, name) {
    post({ type: "export", format: "svg", content: svgToFile(svg), suggestedName: safeFileName(name, "svg") });
  },
  setPerfettoExport(f) {
    perfettoExport = f;
    if (f) perfettoBtn.removeAttribute("disabled");
  },
  exportText(content, suggestedName) {
    // The host refuses exports over 64 MB (protocol.ts): a narrower window makes a smaller trace.
    if (content.length > 60 * 1024 * 1024)
      showError({ message: "This trace is over the 64 MB export limit: zoom in to a narrower window and export again." });
    else post({ type: "export", format: "json", content, suggestedName });
  },
};

const scenario = createScenarioPanel(env, (scenarioText) => {
  hideError();
  post({ type: "rerun", scenarioText });
});

// Layout -------------------------------------------------------------------------------------
const title = h("h1", { class: "title", "data-testid": "title" }, "Paravirt Scheduling Lab");
const source = h("span", { class: "source" });
const csvBtn = h(
  "vscode-button",
  { secondary: true, disabled: true, "data-testid": "export-csv", title: "Export the tables as CSV" },
  "CSV",
);
const jsonBtn = h(
  "vscode-button",
  { secondary: true, disabled: true, "data-testid": "export-json", title: "Export the results as JSON" },
  "JSON",
);
const svgBtn = h(
  "vscode-button",
  { secondary: true, disabled: true, "data-testid": "export-svg", title: "Export the current chart as SVG" },
  "SVG",
);
const perfettoBtn = h(
  "vscode-button",
  {
    secondary: true,
    disabled: true,
    "data-testid": "export-perfetto",
    title: "Export the timeline's visible window as a Perfetto trace (Chrome trace-event JSON, opens in ui.perfetto.dev)",
  },
  "Perfetto trace",
);
let perfettoExport: (() => void) | null = null;
const bar = h("vscode-progress-bar", { max: 100, value: 0, "aria-label": "Simulation progress" });
const progressLabel = h("span", { class: "progress-label" });
const cancelBtn = h("vscode-button", { secondary: true, "data-testid": "cancel" }, "Cancel");
const progress = h(
  "div",
  { class: "progress", hidden: true, "data-testid": "progress" },
  bar,
  h("div", { class: "progress-row" }, progressLabel, cancelBtn),
);
const errorBox = h("div", { class: "error", role: "alert", hidden: true, "data-testid": "error" });
/** "Cancelled: <run>" after a cancel, until the next run starts or results arrive. */
const notice = h("div", { class: "notice", role: "status", hidden: true, "data-testid": "notice" });
const main = h(
  "main",
  { id: "results" },
  h("p", { class: "empty", "data-testid": "waiting" }, "Waiting for results… Run a scenario (PV Sched: Run Scenario) to fill this panel."),
);

document.body.append(
  h(
    "header",
    { class: "bar" },
    h("div", { class: "heading" }, title, source),
    h(
      "div",
      { class: "actions", role: "toolbar", "aria-label": "Export" },
      h("span", { class: "muted" }, "Export"),
      csvBtn,
      jsonBtn,
      svgBtn,
      perfettoBtn,
    ),
  ),
  progress,
  notice,
  errorBox,
  main,
);

on(csvBtn, "click", () => {
  if (!payload) return;
  post({
    type: "export",
    format: "csv",
    content: tablesToCsv([...sweepTables(payload.sweep), ...allTables(payload)]),
    suggestedName: safeFileName(payload.title, "csv"),
  });
});
/** The payload without its per-CPU timelines (by far its largest part). */
const withoutTimelines = (p: ResultsPayload): ResultsPayload => ({ ...p, runs: p.runs.map(({ timeline: _t, ...r }) => r) });

on(jsonBtn, "click", () => {
  if (!payload) return;
  let content = JSON.stringify(payload, typedArraysAsLists, 2) + "\n";
  // The host refuses exports over 64 MB (protocol.ts); drop the timelines rather than fail.
  if (content.length > 60 * 1024 * 1024) {
    content = JSON.stringify(withoutTimelines(payload), null, 2) + "\n";
    showError({ message: "The JSON export leaves out the per-CPU timelines: with them it would exceed the 64 MB export limit." });
  }
  post({ type: "export", format: "json", content, suggestedName: safeFileName(payload.title, "json") });
});
on(svgBtn, "click", () => {
  if (current?.svg.isConnected) chartHost.exportSvg(current.svg, current.name);
  else showError({ message: "Open the Distributions or Timeline tab and pick a chart to export it as SVG." });
});
on(perfettoBtn, "click", () => {
  if (perfettoExport) perfettoExport();
  else showError({ message: "Open the Timeline tab and zoom to the window to export as a Perfetto trace." });
});
on(cancelBtn, "click", () => post({ type: "cancel" }));

/** Set by render(): shows a run's latency sample on the Timeline tab. */
let jumpToSample: WhyHost["jumpToSample"];

/** The results whose timelines the host was asked to record (once each, until that run ends). */
let timelineAskedFor: ResultsPayload | undefined;
/** A jump to a sample asked for before its run's timeline was recorded: done when it arrives. */
let pendingJump: { run: number; wakeNs: number } | undefined;

/** Asks the host to record the timelines of the results shown, which were run without them. */
function recordTimeline(): void {
  if (!payload?.timelineOnDemand || timelineAskedFor === payload) return;
  timelineAskedFor = payload;
  post({ type: "timeline" });
}

/** The tabs' way to a sample on the timeline, and to recording it when these results can. */
const whyHostFor = (p: ResultsPayload): WhyHost => ({
  jumpToSample: (run, sample) => jumpToSample?.(run, sample),
  recordTimeline: p.timelineOnDemand ? recordTimeline : undefined,
});

/** The sample of `r` woken at `wakeNs` (a probe's worst, or a tail bin's), as the recorded run has it. */
function sampleOf(r: RunResult, wakeNs: number): SampleWhy | undefined {
  for (const pr of r.probes) {
    if (pr.why?.worst?.wake_ns === wakeNs) return pr.why.worst;
    const t = pr.why?.tail?.find((s) => s.wake_ns === wakeNs);
    if (t) return t;
  }
  return undefined;
}

// Rendering ------------------------------------------------------------------------------------
function tabsFor(p: ResultsPayload): TabDef[] {
  const tabs: TabDef[] = [];
  const sweep = p.sweep;
  if (sweep) tabs.push({ id: "sweep", label: "Sweep", render: () => renderSweep(sweep, chartHost) });
  // A sweep sends its cells, not its runs: the per-run tabs would be empty.
  if (p.runs.length || !sweep) {
    tabs.push({ id: "summary", label: "Summary", render: () => renderSummary(p) });
    if (p.cells?.length || p.claims?.length) tabs.push({ id: "seed", label: "Seed report", render: () => renderSeed(p) });
    const whyHost = whyHostFor(p);
    tabs.push(
      { id: "dist", label: "Distributions", render: () => renderDistributions(p.runs, chartHost, whyHost), lazy: true },
      { id: "why", label: "Why late", render: () => renderWhy(p.runs, whyHost), lazy: true },
      {
        id: "timeline",
        label: "Timeline",
        render: () => renderTimeline(p.runs, chartHost, p.timelineOnDemand ? recordTimeline : undefined),
        lazy: true,
      },
      { id: "vcpus", label: "vCPUs", render: () => renderVcpus(p.runs) },
    );
  }
  tabs.push({ id: "scenario", label: "Scenario", render: () => scenario.element });
  return tabs;
}

let renders = 0;
let lastProvisional = false;

function render(p: ResultsPayload): void {
  payload = p;
  // A counter tests can wait on to see that new results arrived.
  main.setAttribute("data-renders", String(++renders));
  // When provisional numbers first replaced final ones or nothing: the wall clock, so that a
  // test can time the first answer even when the final one follows within its polling interval.
  // Provisional is what the payload's note says: runs not started yet are absent from it, so
  // every run it carries may have finished.
  const provisional = isProvisional(p);
  if (provisional && !lastProvisional) main.setAttribute("data-provisional-at", String(Date.now()));
  lastProvisional = provisional;
  current = undefined;
  svgBtn.setAttribute("disabled", "");
  // New results: the timeline view (if any) registers its export again when it is shown.
  perfettoExport = null;
  perfettoBtn.setAttribute("disabled", "");
  csvBtn.removeAttribute("disabled");
  jsonBtn.removeAttribute("disabled");
  title.textContent = p.title;
  const src = p.source?.kind === "hunk" && p.source.mechanism ? `ablation of ${p.source.mechanism}` : (p.source?.kind ?? "");
  // A sweep sends its cells, not its runs: it says how many it made.
  const nRuns = p.sweep ? p.sweep.runs : p.runs.length;
  source.textContent = [src, `${nRuns} run${nRuns === 1 ? "" : "s"}`].filter(Boolean).join(" · ");
  scenario.setText(p.scenarioText);

  const defs = tabsFor(p);
  // A sweep opens on its chart and a seed report on its table (the comparison with the cover
  // letter is what it was run for); other results keep the tab the user was on.
  if (p.sweep) currentTab = "sweep";
  else if (p.source?.kind === "seed" && defs.some((d) => d.id === "seed")) currentTab = "seed";
  else if (!defs.some((d) => d.id === currentTab)) currentTab = "summary";
  const tabs = h("vscode-tabs", { "data-testid": "tabs" });
  const panels = new Map<string, { el: HTMLElement; done: boolean; def: TabDef }>();
  for (const d of defs) {
    const panel = h("vscode-tab-panel", { "data-tab": d.id });
    tabs.append(h("vscode-tab-header", { slot: "header", "data-tab": d.id }, d.label), panel);
    panels.set(d.id, { el: panel, done: false, def: d });
  }
  const show = (id: string) => {
    currentTab = id;
    // Saved state is for a reloaded panel and must be JSON: the timelines (typed arrays) are left out.
    if (savedFor !== p) {
      savedFor = p;
      savedPayload = withoutTimelines(p);
    }
    env.api.setState({ payload: savedPayload, tab: id });
    const t = panels.get(id);
    if (!t) return;
    if (!t.done) {
      t.done = true;
      try {
        replace(t.el, t.def.render());
      } catch (e) {
        replace(t.el, h("p", { class: "error-inline" }, `Could not show this tab: ${e instanceof Error ? e.message : String(e)}`));
      }
    }
    if (id === "scenario") scenario.activate();
  };
  // Eager tabs render now so the e2e tests and screen readers find their tables at once.
  for (const [id, t] of panels)
    if (!t.def.lazy && id !== currentTab) {
      t.done = true;
      replace(t.el, t.def.render());
    }
  on(tabs, "vsc-tabs-select", (e: CustomEvent<{ selectedIndex: number }>) => show(defs[e.detail.selectedIndex]?.id ?? "summary"));
  (tabs as HTMLElement & { selectedIndex: number }).selectedIndex = Math.max(
    0,
    defs.findIndex((d) => d.id === currentTab),
  );
  // What the host says about these results (a timeline downsampled as too big, extension/panel-fit.ts).
  const notes = (p.notes ?? []).map((n) => h("p", { class: "notice", role: "status", "data-testid": "payload-note" }, n));
  replace(main, ...notes, tabs);
  show(currentTab);
  jumpToSample = (run, sample) => {
    const i = defs.findIndex((d) => d.id === "timeline");
    const r = p.runs[run];
    if (i < 0 || !r) return;
    // Not recorded yet: the Timeline tab asks for it, and the jump waits for the recorded runs.
    if (!r.timeline && p.timelineOnDemand) pendingJump = { run, wakeNs: sample.wake_ns };
    (tabs as HTMLElement & { selectedIndex: number }).selectedIndex = i;
    show("timeline");
    if (!r.timeline) return;
    const el = panels.get("timeline")?.el.firstElementChild as TimelineElement | null;
    const w = sampleWindow(sample);
    el?.timelineJump?.(
      r,
      w.from,
      w.to,
      sample.chain.map((l) => l.text),
    );
  };
  // The recorded runs of a jump asked for before they existed.
  const wait = pendingJump;
  if (wait && !p.timelineOnDemand) {
    pendingJump = undefined;
    const r = p.runs[wait.run];
    const sample = r?.timeline ? sampleOf(r, wait.wakeNs) : undefined;
    if (sample) jumpToSample(wait.run, sample);
  }
}

function showError(e: { message: string; line?: number; column?: number }): void {
  replace(errorBox, h("strong", {}, "Error: "), errorText(e));
  errorBox.hidden = false;
}
function hideError(): void {
  errorBox.hidden = true;
  replace(errorBox);
}

on(window, "message", (ev: MessageEvent) => {
  // Monaco schedules its own work with window.postMessage ({vscodeScheduleAsyncWork}); messages
  // without a string `type` are not the host's and are not worth an error banner.
  const d = ev.data as { type?: unknown } | null;
  if (typeof d !== "object" || d === null || typeof d.type !== "string") return;
  const c = checkHostMessage(ev.data);
  if (!c.ok) {
    showError({ message: `Ignored a malformed message from the host: ${c.why}` });
    return;
  }
  const m = c.msg;
  switch (m.type) {
    case "results":
      progress.hidden = true;
      notice.hidden = true;
      hideError();
      scenario.showError(undefined);
      render(m.payload);
      break;
    case "progress":
      notice.hidden = true;
      progress.hidden = m.percent >= 100;
      bar.setAttribute("value", String(m.percent));
      progressLabel.textContent = `${m.label} ${Math.round(m.percent)}%`;
      break;
    case "ended":
      // A recording that did not finish may be asked for again (the Timeline tab's button).
      if (m.outcome !== "done" && timelineAskedFor === payload) timelineAskedFor = undefined;
      // Every end hides the bar; a cancelled run says so where the bar was.
      progress.hidden = true;
      bar.setAttribute("value", "0");
      progressLabel.textContent = "";
      if (m.outcome === "cancelled") {
        notice.textContent = `Cancelled: ${m.label}`;
        notice.hidden = false;
      }
      break;
    case "error":
      if (timelineAskedFor === payload) timelineAskedFor = undefined;
      progress.hidden = true;
      showError(m);
      scenario.showError(m.message, m.line, m.column);
      break;
  }
});

// Restore after the panel was hidden and shown again (without retainContextWhenHidden).
const saved = env.api.getState() as { payload?: unknown; tab?: string } | undefined;
if (saved?.payload) {
  const c = checkHostMessage({ type: "results", payload: saved.payload });
  if (c.ok && c.msg.type === "results") {
    currentTab = typeof saved.tab === "string" ? saved.tab : "summary";
    render(c.msg.payload);
  }
}
post({ type: "ready" });
