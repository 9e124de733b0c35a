/** CSV (RFC 4180) from rows of cells. */

export type CsvCell = string | number | null | undefined;

/**
 * One field. Strings that a spreadsheet would run as a formula (leading = + - @, tab or CR) get a
 * leading apostrophe, because probe ids and scenario names are user text (the OWASP "CSV
 * injection" advice). Numbers are written as numbers, so negative values stay numeric.
 */
export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  if (/[",\r\n]/.test(s) || s !== s.trim()) return '"' + s.replace(/"/g, '""') + '"';
  return s;
}

/** Rows to CSV text with CRLF line ends (RFC 4180). */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((r) => r.map(csvField).join(",")).join("\r\n") + (rows.length ? "\r\n" : "");
}
