/**
 * Mail subjects of patches: `Re: [RFC PATCH v2 3/8] kvm: x86: subject` → its prefix, patch number
 * and text. One forward scan with indexOf, no regex: a subject is attacker-controlled and may be
 * megabytes long (a regex such as /(\d+)\s*\/\s*(\d+)/ restarts at every digit of a long run and
 * took 21.8 s of CPU on 200 000 digits).
 */

export interface SplitSubject {
  /** The subject without its reply markers and bracketed prefixes. */
  subject: string;
  /** The bracketed prefixes as written, joined by a space (`RFC PATCH v2 3/8`). */
  prefix: string;
  /** n of `n/m` in the first bracket that has one; null when none. */
  index: number | null;
  total: number | null;
  /** The subject started with a reply or forward marker (`Re:`, `Fwd:`, `Aw:`). */
  reply: boolean;
}

/** Patch numbers longer than this are not patch numbers (and would not be exact as doubles). */
const MAX_NUMBER_DIGITS = 6;
/** At most this many stacked markers and brackets are removed (`Re: Re: [RFC][PATCH 1/2]`). */
const MAX_PREFIXES = 8;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isSpace = (c: number) => c === 0x20 || c === 0x09;

/** The first `n/m` (spaces allowed around the slash) in s; each character is visited at most twice. */
export function patchNumber(s: string): { index: number; total: number } | null {
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const a = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    const aEnd = i;
    let j = i;
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) !== 0x2f /* / */) continue;
    j++;
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    const b = j;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
    if (j === b) {
      i = j;
      continue;
    }
    if (aEnd - a > MAX_NUMBER_DIGITS || j - b > MAX_NUMBER_DIGITS) {
      i = j;
      continue;
    }
    return { index: Number(s.slice(a, aEnd)), total: Number(s.slice(b, j)) };
  }
  return null;
}

/** `Re:`, `RE :`, `Fwd:`, `Fw:`, `Aw:` at position i: the length of the marker, or 0. */
function replyMarker(s: string, i: number): number {
  for (const word of ["re", "fwd", "fw", "aw"]) {
    if (s.length - i < word.length + 1 || s.slice(i, i + word.length).toLowerCase() !== word) continue;
    let j = i + word.length;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) === 0x3a /* : */) return j + 1 - i;
  }
  return 0;
}

export function splitSubject(raw: string): SplitSubject {
  const prefixes: string[] = [];
  let index: number | null = null;
  let total: number | null = null;
  let reply = false;
  let i = 0;
  const n = raw.length;
  for (let k = 0; k < MAX_PREFIXES; k++) {
    while (i < n && isSpace(raw.charCodeAt(i))) i++;
    const marker = replyMarker(raw, i);
    if (marker > 0) {
      if (prefixes.length === 0) reply = true;
      i += marker;
      continue;
    }
    if (raw.charCodeAt(i) !== 0x5b /* [ */) break;
    const close = raw.indexOf("]", i + 1);
    if (close < 0) break;
    const inner = raw.slice(i + 1, close);
    prefixes.push(inner);
    if (index === null) {
      const num = patchNumber(inner);
      if (num) ({ index, total } = num);
    }
    i = close + 1;
  }
  while (i < n && isSpace(raw.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isSpace(raw.charCodeAt(end - 1))) end--;
  return { subject: raw.slice(i, end), prefix: prefixes.join(" "), index, total, reply };
}
