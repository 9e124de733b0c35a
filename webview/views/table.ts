/** Renders a TableModel as a <table> (the DOM contract used by the e2e tests lives here). */
import { type Child, h } from "../dom";
import type { Cell, TableModel } from "../lib/tables";

/**
 * A label that may wrap after "/" and "_" (probe ids such as "vm0/cyclictest#0", exit reasons such
 * as "external_interrupt"), so that a narrow panel breaks it there rather than inside a word. The
 * break points are <wbr> elements: the text itself (textContent, what the e2e tests read) is unchanged.
 */
function breakable(text: string): Child[] {
  const out: Child[] = [];
  for (const part of text.split(/(?<=[/_])/)) out.push(out.length ? h("wbr") : null, part);
  return out;
}

function td(c: Cell): HTMLElement {
  if (c.kind === "label") return h("th", { scope: "row", class: c.repeat ? "repeat" : null, title: c.title ?? null }, breakable(c.text));
  const cls = [c.kind === "text" ? "" : c.kind, c.tone ?? ""].filter(Boolean).join(" ") || null;
  // data-value carries the full-precision number; the text is rounded for reading.
  return h("td", { class: cls, "data-value": c.value !== undefined ? String(c.value) : null, title: c.title ?? null }, c.text);
}

export function renderTable(t: TableModel): HTMLElement {
  // Header cells over label columns align left like their column; spanned group headers centre.
  const nLabel = (t.rows[0] ?? []).findIndex((c) => c.kind !== "label");
  const headCls = (c: { span?: number }, i: number) => (c.span && c.span > 1 ? "group" : i < (nLabel < 0 ? 1 : nLabel) ? "lbl" : null);
  const table = h(
    "table",
    { "data-testid": t.testid ?? null, "data-table": t.id, class: "results" },
    h("caption", {}, t.title),
    h(
      "thead",
      {},
      t.head.map((row) =>
        h(
          "tr",
          {},
          row.map((c, i) =>
            h(
              "th",
              { scope: "col", class: headCls(c, i), colspan: c.span && c.span > 1 ? c.span : null, title: c.title ?? null },
              breakable(c.text),
            ),
          ),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      t.rows.map((r) => h("tr", {}, r.map(td))),
    ),
  );
  return h("div", { class: "table-wrap" }, table, t.note ? h("p", { class: "note" }, t.note) : null);
}
