/** Summary tab: the seed-style latency table and the audio glitch table. */
import type { ResultsPayload } from "../../common/protocol";
import { h } from "../dom";
import { audioTable, summaryTable } from "../lib/tables";
import { fmtNs } from "../lib/format";
import { modeTitle } from "../../common/modes";
import { renderTable } from "./table";

export function renderSummary(p: ResultsPayload): HTMLElement {
  const root = h("div", { class: "summary" });
  // A run still going ("running", a provisional answer) is not one that stopped early: the payload's note says so.
  const early = p.runs.filter((r) => r.stop !== "done" && r.stop !== "running");
  if (early.length) {
    root.appendChild(
      h(
        "div",
        { class: "warn", role: "status" },
        early.map((r) =>
          h(
            "p",
            {},
            `${r.scenario} · ${modeTitle(r.mode)} stopped early (${r.stop}) at ${fmtNs(r.simulated_ns)} of ${fmtNs(r.duration_ns)}.`,
          ),
        ),
      ),
    );
  }
  root.appendChild(renderTable(summaryTable(p.runs, p.comparison)));
  const a = audioTable(p.runs);
  if (a) root.appendChild(renderTable(a));
  root.appendChild(
    h(
      "ul",
      { class: "note runs" },
      p.runs.map((r) =>
        h(
          "li",
          {},
          `${r.scenario} · ${modeTitle(r.mode)}: ${fmtNs(r.simulated_ns)} simulated, ${Number(r.events).toLocaleString("en-US")} events, seed ${r.seed}`,
        ),
      ),
    ),
  );
  return root;
}
