/**
 * C identifiers in a line of code, by a hand-written linear scanner (no regex per word), with
 * string literals and comments removed first. Pure TypeScript, no Node or DOM imports.
 */
// ---------------------------------------------------------------------------------------------
// Identifiers

/** C keywords (C11 + common GNU spellings) and preprocessor words, never reported as identifiers. */
const C_KEYWORDS = new Set([
  "auto",
  "break",
  "case",
  "char",
  "const",
  "continue",
  "default",
  "do",
  "double",
  "else",
  "enum",
  "extern",
  "float",
  "for",
  "goto",
  "if",
  "inline",
  "int",
  "long",
  "register",
  "restrict",
  "return",
  "short",
  "signed",
  "sizeof",
  "static",
  "struct",
  "switch",
  "typedef",
  "union",
  "unsigned",
  "void",
  "volatile",
  "while",
  "_Alignas",
  "_Alignof",
  "_Atomic",
  "_Bool",
  "_Complex",
  "_Generic",
  "_Imaginary",
  "_Noreturn",
  "_Static_assert",
  "_Thread_local",
  "asm",
  "__asm__",
  "__attribute__",
  "typeof",
  "__typeof__",
  "__inline__",
  "__volatile__",
  "__restrict",
  "bool",
  "true",
  "false",
  // preprocessor
  "include",
  "define",
  "undef",
  "ifdef",
  "ifndef",
  "endif",
  "elif",
  "pragma",
  "defined",
  "error",
]);

/** 1 for the ASCII word characters [A-Za-z0-9_], 2 for the digits among them. */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) WORD[c] = 1;
  else if (/[0-9]/.test(ch)) WORD[c] = 2;
}

/** Strip string/char literals and comments from one line of C, roughly (no state across lines). */
function stripCNoise(line: string): string {
  if (/^\s*#\s*include\b/.test(line)) return "";
  // Fast path: most lines have no literal or comment.
  if (line.indexOf('"') < 0 && line.indexOf("'") < 0 && line.indexOf("/") < 0) return line;
  // Keep the code between literals and comments as slices (linear, no per-character concatenation).
  const parts: string[] = [];
  let from = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      parts.push(line.slice(from, i));
      i++;
      while (i < n && line.charCodeAt(i) !== c) i += line.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      from = i;
    } else if (c === 0x2f /* / */ && line.charCodeAt(i + 1) === 0x2f) {
      parts.push(line.slice(from, i));
      return parts.join(" ");
    } else if (c === 0x2f && line.charCodeAt(i + 1) === 0x2a /* * */) {
      parts.push(line.slice(from, i));
      const end = line.indexOf("*/", i + 2);
      if (end < 0) return parts.join(" ");
      i = end + 2;
      from = i;
    } else {
      i++;
    }
  }
  if (from < n) parts.push(line.slice(from));
  return parts.join(" ");
}

/** Lines longer than this are not code anyone wrote by hand; only their start is scanned. */
const MAX_IDENT_LINE = 4096;

/**
 * What collectIdentifiers needs of its `seen` set. `add` may return the string to list instead
 * of `id` (an equal one already held), so a big series keeps each identifier once.
 */
export interface IdentifierSet {
  has(id: string): boolean;
  add(id: string): unknown;
}

/**
 * The code of one line with string/char literals and comments removed, or null for a line of prose
 * (a block-comment continuation such as ` * text`). Long lines are cut to their first 4 KiB.
 */
export function codeOf(line: string): string | null {
  // Block-comment continuation lines (` * text`) carry prose, not code.
  let first = 0;
  while (first < line.length && (line.charCodeAt(first) === 0x20 || line.charCodeAt(first) === 0x09)) first++;
  const f = line.charCodeAt(first);
  if (
    (f === 0x2a /* * */ || (f === 0x2f /* / */ && line.charCodeAt(first + 1) === 0x2a)) &&
    /^\s*(\*|\/\*)/.test(line) &&
    !/^\s*\*\s*\w+\s*=/.test(line)
  )
    return null;
  return stripCNoise(line.length > MAX_IDENT_LINE ? line.slice(0, MAX_IDENT_LINE) : line);
}

/**
 * Call `visit(from, to, id)` for each C identifier of `code` (the runs of ASCII word characters that do
 * not start with a digit, minus C keywords), left to right; `visit` returns false to stop.
 * Scanned by hand: a regex match allocates an array per word, and this runs on every added line
 * of a series (700 000 of them in a 50 MB mbox).
 */
export function forEachIdentifier(code: string, visit: (from: number, to: number, id: string) => boolean): void {
  const n = code.length;
  let i = 0;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c >= 128 || WORD[c] === 0) {
      i++;
      continue;
    }
    const from = i;
    while (i < n) {
      const d = code.charCodeAt(i);
      if (d >= 128 || WORD[d] === 0) break;
      i++;
    }
    if (WORD[c] === 2) continue; // a number (or 0x1f, 2nd): not an identifier
    const id = code.slice(from, i);
    if (C_KEYWORDS.has(id)) continue;
    if (!visit(from, i, id)) return;
  }
}

/** Add the C identifiers of one added line to `seen`/`out` (bounded by `max`). */
export function collectIdentifiers(line: string, seen: IdentifierSet, out: string[], max: number): void {
  if (out.length >= max) return;
  const code = codeOf(line);
  if (code === null) return;
  forEachIdentifier(code, (_from, _to, id) => {
    if (seen.has(id)) return true;
    const held = seen.add(id);
    out.push(typeof held === "string" ? held : id);
    return out.length < max;
  });
}
