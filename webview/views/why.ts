/**
 * "Why late" tab: per probe, one stacked bar per mode of where the mean latency per sample goes
 * (host wait, VM exit/entry, guest IRQ, …), on one scale so that a mode's savings show as a
 * shorter part; the same numbers as a table; and per mode a "Jump to worst" button that shows the
 * worst sample on the timeline, with its causal chain written out here and there.
 */
import type { RunResult, SampleWhy } from "../../sim-core/results";
import { chainText, LATENCY_PARTS } from "../../sim-core/why-labels";
import { h, on } from "../dom";
import { fmtNs, fmtUs } from "../lib/format";
import { type WhyBar, whyModel } from "../lib/why";

export interface WhyHost {
  /** Shows the sample on the run's timeline (recording it first if the run has none but can). */
  jumpToSample?(run: number, sample: SampleWhy): void;
  /** Present when the runs were made without timelines that the host can record (issue 13). */
  recordTimeline?(): void;
}

/** One CSS class per part: colour from the theme's chart palette plus a pattern, so it does not rest on colour alone. */
const partClass = (id: string) => `why-part why-${id.replace("_", "-")}`;

function bar(b: WhyBar, maxUs: number): HTMLElement {
  const scale = maxUs > 0 ? 100 / maxUs : 0;
  const label = `${b.mode}: ${fmtUs(b.totalUs)} us per sample; ${b.parts
    .filter((p) => p.us > 0)
    .map((p) => `${p.label} ${fmtUs(p.us)} us`)
    .join(", ")}`;
  return h(
    "div",
    { class: "why-row" },
    h("span", { class: "why-mode" }, b.mode),
    h(
      "div",
      { class: "why-bar", role: "img", "aria-label": label, title: label },
      b.parts
        .filter((p) => p.us > 0)
        .map((p) => {
          const seg = h(
            "span",
            { class: partClass(p.id), title: `${p.label}: ${fmtUs(p.us)} us per sample` },
            p.us * scale >= 8 ? p.label : "",
          );
          // Through the CSSOM: the panel's CSP refuses style attributes.
          seg.style.width = `${(p.us * scale).toFixed(3)}%`;
          return seg;
        }),
    ),
    h("span", { class: "why-total" }, `${fmtUs(b.totalUs)} us`),
  );
}

function table(bars: WhyBar[], name: string): HTMLElement {
  return h(
    "table",
    { class: "results why-table", "data-testid": "why-table" },
    h("caption", {}, `${name}: mean latency per sample by part (us)`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", class: "lbl" }, "mode"),
        LATENCY_PARTS.map((p) => h("th", { scope: "col", title: p.title }, p.label)),
        h("th", { scope: "col" }, "total"),
        h("th", { scope: "col" }, "samples"),
      ),
    ),
    h(
      "tbody",
      {},
      bars.map((b) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, b.mode),
          b.parts.map((p) => h("td", { class: "num", "data-value": String(p.us) }, fmtUs(p.us))),
          h("td", { class: "num", "data-value": String(b.totalUs) }, fmtUs(b.totalUs)),
          h("td", { class: "num" }, b.unexplained ? `${b.samples} (+${b.unexplained} unexplained)` : String(b.samples)),
        ),
      ),
    ),
  );
}

function worst(b: WhyBar, runs: readonly RunResult[], host: WhyHost): HTMLElement | null {
  const w = b.worst;
  if (!w) return null;
  const recorded = !!runs[b.run]?.timeline;
  const hasTimeline = (recorded || !!host.recordTimeline) && !!host.jumpToSample;
  const btn = h(
    "vscode-button",
    {
      secondary: true,
      "data-testid": "why-jump",
      disabled: !hasTimeline,
      title: !hasTimeline
        ? "This run recorded no timeline (set timeline.enabled in the scenario, or run with a timeline)"
        : recorded
          ? `Show this sample (${fmtNs(w.latency_ns)}) on the timeline`
          : `Record the timeline (the run again, with the recorder on) and show this sample (${fmtNs(w.latency_ns)}) on it`,
    },
    `Jump to worst (${b.mode}, ${fmtNs(w.latency_ns)})`,
  );
  if (hasTimeline) on(btn, "click", () => host.jumpToSample!(b.run, w));
  const parts = LATENCY_PARTS.filter((p) => (w.parts_ns[p.id] ?? 0) > 0)
    .map((p) => `${p.label} ${fmtNs(w.parts_ns[p.id])}`)
    .join(" + ");
  return h(
    "div",
    { class: "why-worst" },
    btn,
    h(
      "details",
      { open: true },
      h("summary", {}, `Worst ${b.mode} sample: ${fmtNs(w.latency_ns)} = ${parts}`),
      h(
        "ol",
        { class: "why-chain", "aria-label": `Causal chain: ${chainText(w.chain)}` },
        w.chain.map((l) => h("li", { class: "why-link", "data-part": l.part }, l.text)),
      ),
    ),
  );
}

export function renderWhy(runs: readonly RunResult[], host: WhyHost): HTMLElement {
  const model = whyModel(runs);
  const root = h("div", { class: "why" });
  if (!model.length) {
    root.appendChild(h("p", { class: "empty" }, "These runs carry no latency explanation (results from an older simulator)."));
    return root;
  }
  root.appendChild(
    h(
      "div",
      { class: "why-legend", "aria-hidden": "true" },
      LATENCY_PARTS.map((p) => h("span", { title: p.title }, h("span", { class: `${partClass(p.id)} sw` }), p.label)),
    ),
  );
  for (const p of model) {
    root.appendChild(
      h(
        "section",
        { class: "why-probe", "data-probe": p.name },
        h("h3", {}, p.name),
        h(
          "div",
          { class: "why-bars" },
          p.bars.map((b) => bar(b, p.maxUs)),
        ),
        table(p.bars, p.name),
        p.bars.map((b) => worst(b, runs, host)),
      ),
    );
  }
  return root;
}
