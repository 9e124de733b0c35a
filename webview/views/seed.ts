/** Seed report tab: simulated beside published, the per-cell error and the claims. */
import type { ResultsPayload } from "../../common/protocol";
import { h } from "../dom";
import { claimCounts } from "../lib/seed";
import { seedTables } from "../lib/tables";
import { renderTable } from "./table";

export function renderSeed(p: ResultsPayload): HTMLElement {
  const root = h("div", { class: "seed" });
  const { held, total } = claimCounts(p.claims);
  if (total) {
    root.appendChild(
      h(
        "section",
        { class: "claims", "data-testid": "claims" },
        h("h2", {}, `Claims of the cover letter: ${held} of ${total} hold`),
        h(
          "ul",
          {},
          (p.claims ?? []).map((c) =>
            h(
              "li",
              { class: c.holds ? "good" : "bad", "data-claim": c.id },
              h("span", { class: "mark", "aria-label": c.holds ? "holds" : "does not hold" }, c.holds ? "✓" : "✗"),
              " ",
              c.text,
              // A claim is judged in every replication; it holds in at least 80 % of them.
              c.of !== undefined && c.holdsIn !== undefined
                ? h("span", { class: "k-of-n" }, ` (holds in ${c.holdsIn} of ${c.of} replications)`)
                : null,
            ),
          ),
        ),
      ),
    );
  }
  for (const t of seedTables(p.cells ?? [])) root.appendChild(renderTable(t));
  return root;
}
