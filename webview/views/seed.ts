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
  const tables = seedTables(p.cells ?? []);
  if (tables.length) root.appendChild(seedLegend());
  for (const t of tables) root.appendChild(renderTable(t));
  return root;
}

/**
 * What the tables' colours and styles mean. Each is also said in the cell's tooltip, so colour
 * is never the only carrier; the samples share the tables' CSS rules, so they follow the theme.
 */
function seedLegend(): HTMLElement {
  const item = (cls: string, text: string, meaning: string) => h("li", {}, h("span", { class: `sample ${cls}` }, text), ` ${meaning}`);
  return h(
    "ul",
    { class: "seed-legend", "data-testid": "seed-legend", "aria-label": "Legend" },
    item("pub", "887", "published (cover letter)"),
    item("err good", "0.12", "|log10| error within 10\u00d7"),
    item("err bad", "1.60", "off by more than 10\u00d7"),
  );
}
