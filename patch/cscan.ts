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

/**
 * The name a designated initializer line sets its field to (`.func = wrs_insn,` or `.ops = &x`):
 * one identifier and nothing else after the `=`; "" otherwise. Hand-scanned, linear.
 */
export function designatedValue(code: string): string {
  let i = nextNonSpace(code, 0);
  if (code.charCodeAt(i) !== 0x2e /* . */) return "";
  i = nextNonSpace(code, i + 1);
  const field = i;
  while (i < code.length && (isIdentStart(code.charCodeAt(i)) || (code.charCodeAt(i) >= 0x30 && code.charCodeAt(i) <= 0x39))) i++;
  if (i === field) return "";
  i = nextNonSpace(code, i);
  if (code.charCodeAt(i) !== 0x3d /* = */ || code.charCodeAt(i + 1) === 0x3d) return "";
  i = nextNonSpace(code, i + 1);
  if (code.charCodeAt(i) === 0x26 /* & */) i = nextNonSpace(code, i + 1);
  const from = i;
  if (!isIdentStart(code.charCodeAt(i))) return "";
  while (i < code.length && (isIdentStart(code.charCodeAt(i)) || (code.charCodeAt(i) >= 0x30 && code.charCodeAt(i) <= 0x39))) i++;
  const name = code.slice(from, i);
  i = nextNonSpace(code, i);
  return i >= code.length || code[i] === "," || code[i] === "}" ? name : "";
}

/** Calls whose first argument is the location they store to. */
const STORES = ["WRITE_ONCE", "smp_store_release", "atomic_set", "atomic_long_set"];

/**
 * Whether the member access ending at `to` (its name at [from, to)) is assigned: followed by `=`
 * (not `==`), a compound assignment or `++`/`--`, or the first argument of a store such as
 * `WRITE_ONCE(vcpu->ready, true)`.
 */
export function assignedAt(code: string, from: number, to: number): boolean {
  const a = nextNonSpace(code, to);
  const c = code.charCodeAt(a);
  const d = code.charCodeAt(a + 1);
  if (c === 0x3d /* = */) return d !== 0x3d;
  if ((c === 0x2b || c === 0x2d) && d === c) return true; // ++ --
  if (d === 0x3d && "+-*/%&|^".includes(code[a]!)) return true; // d is a character, so a < code.length
  if ((c === 0x3c || c === 0x3e) && d === c && code.charCodeAt(a + 2) === 0x3d) return true; // <<= >>=
  if (c === 0x2e || (c === 0x2d && d === 0x3e)) return false; // the path goes on: `vcpu->arch` of `vcpu->arch.x`
  // The start of the access path (`vcpu->arch.x` back to `vcpu`), then what comes before it.
  let i = from;
  for (;;) {
    const p = prevNonSpace(code, i);
    const arrow = code.charCodeAt(p) === 0x3e && code.charCodeAt(p - 1) === 0x2d;
    if (!arrow && code.charCodeAt(p) !== 0x2e) break;
    const end = prevNonSpace(code, arrow ? p - 1 : p) + 1;
    const base = identifierBefore(code, end);
    if (!base) break;
    i = end - base.length;
  }
  let b = prevNonSpace(code, i);
  if (code.charCodeAt(b) === 0x26 /* & */) b = prevNonSpace(code, b);
  if (code.charCodeAt(b) !== 0x28 /* ( */) return false;
  return STORES.includes(identifierBefore(code, prevNonSpace(code, b) + 1));
}
