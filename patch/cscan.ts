/**
 * Character-level reading of one line of C for patch/code.ts: spaces, identifiers before a
 * position, and what an access or a declaration names (`vcpu->ready`, `bool ready;`,
 * `int (*wait)(void);`). Hand-scanned, linear in the line, no backtracking regexes.
 */

export const isIdentStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
export const isSpace = (c: number) => c === 0x20 || c === 0x09;

export function nextNonSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

export function prevNonSpace(s: string, i: number): number {
  while (i > 0 && isSpace(s.charCodeAt(i - 1))) i--;
  return i - 1;
}

/** The identifier ending just before position `end` (exclusive), or "". */
export function identifierBefore(s: string, end: number): string {
  let a = end;
  while (a > 0) {
    const c = s.charCodeAt(a - 1);
    if (!(isIdentStart(c) || (c >= 0x30 && c <= 0x39))) break;
    a--;
  }
  return a < end && isIdentStart(s.charCodeAt(a)) ? s.slice(a, end) : "";
}

/** `base.member` when the identifier at [from, to) follows `->` or `.` (`vcpu->ready`), else null. */
export function memberAt(code: string, from: number, to: number): string | null {
  const p = prevNonSpace(code, from);
  const arrow = code.charCodeAt(p) === 0x3e && code.charCodeAt(p - 1) === 0x2d; // ->
  if (!arrow && (code.charCodeAt(p) !== 0x2e /* . */ || code.charCodeAt(p - 1) === 0x2e)) return null;
  const base = identifierBefore(code, prevNonSpace(code, arrow ? p - 1 : p) + 1);
  return `${base || "?"}.${code.slice(from, to)}`;
}

/** The name a member declaration `type name[N] : 3;` declares (hand-scanned: no backtracking regex). */
export function declaredName(t: string): string {
  let end = t.length - 1; // the ';'
  end = prevNonSpace(t, end) + 1;
  const colon = t.lastIndexOf(":", end);
  if (colon > 0 && /^\s*\d+\s*$/.test(t.slice(colon + 1, end))) end = prevNonSpace(t, colon) + 1;
  if (t.charCodeAt(end - 1) === 0x5d /* ] */) {
    const open = t.lastIndexOf("[", end);
    if (open > 0) end = prevNonSpace(t, open) + 1;
  }
  return identifierBefore(t, end);
}

/** The name of a function-pointer member `int (*name)(args);`, or "". */
export function functionPointerName(t: string): string {
  const star = t.indexOf("*");
  if (star < 0 || t.charCodeAt(prevNonSpace(t, star)) !== 0x28 /* ( */) return "";
  const from = nextNonSpace(t, star + 1);
  let to = from;
  while (to < t.length && (isIdentStart(t.charCodeAt(to)) || (t.charCodeAt(to) >= 0x30 && t.charCodeAt(to) <= 0x39))) to++;
  return to > from && t.charCodeAt(nextNonSpace(t, to)) === 0x29 /* ) */ ? t.slice(from, to) : "";
}
