/**
 * MIME bodies of patch mails (RFC 2045/2046): quoted-printable and base64 transfer encodings,
 * charsets, and multipart/mixed messages that carry the patch as an attachment. Decodes a mail
 * body into the text parts that may hold a diff, each with the document line of every decoded
 * line, so that hunks found in decoded text are reported at the right place in the mailbox.
 *
 * Pure TypeScript (TextDecoder only), linear in the body: runs in the web extension too.
 */

export interface ContentType {
  /** Lower-case `type/subtype`; "text/plain" when absent (RFC 2045 §5.2). */
  type: string;
  /** Parameters with lower-case names (`charset`, `boundary`, `name`). */
  params: Record<string, string>;
}

export interface DecodedPart {
  text: string;
  /** Document line (0-based) of each line of `text`. */
  lines: number[];
}

export interface DecodedBody {
  parts: DecodedPart[];
  /** What could not be decoded, one sentence each. */
  problems: string[];
}

/** Multipart messages nested deeper than this are not followed. */
const MAX_DEPTH = 4;

/** `text/plain; charset="UTF-8"; format=flowed` → type and parameters. Linear; quotes honoured. */
export function parseContentType(value: string): ContentType {
  const fields = splitParams(value);
  const type = (fields.shift() ?? "").trim().toLowerCase() || "text/plain";
  const params: Record<string, string> = {};
  for (const f of fields) {
    const eq = f.indexOf("=");
    if (eq <= 0) continue;
    let v = f.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[f.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type, params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let from = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x5c && quoted) i++;
    else if (c === 0x3b && !quoted) {
      out.push(value.slice(from, i));
      from = i + 1;
    }
  }
  out.push(value.slice(from));
  return out;
}

/** Bytes of a string that is already text: code points < 256 as one byte, others as UTF-8. */
class ByteBuilder {
  private buf = new Uint8Array(4096);
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b;
  }
  pushChar(code: number): void {
    if (code < 0x100) this.push(code);
    else for (const b of new TextEncoder().encode(String.fromCharCode(code))) this.push(b);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const cs = (charset ?? "utf-8").toLowerCase();
  try {
    return new TextDecoder(cs === "us-ascii" ? "utf-8" : cs).decode(bytes);
  } catch {
    return new TextDecoder("latin1").decode(bytes);
  }
}

const hexValue = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;

/** Split decoded text into lines, mapping each to the document line of the byte that starts it. */
function toPart(bytes: Uint8Array, starts: number[], lineOfByte: (b: number) => number, charset: string | undefined): DecodedPart {
  const text = decodeCharset(bytes, charset);
  const lines: number[] = [];
  // Line k of the text starts after the k-th LF byte; charsets keep LF as one byte.
  lines.push(lineOfByte(0));
  for (const b of starts) lines.push(lineOfByte(b));
  return { text, lines };
}

/** Quoted-printable (RFC 2045 §6.7): `=XX` bytes, `=` soft line breaks, trailing blanks dropped. */
export function decodeQuotedPrintable(body: string[], firstLine: number, charset?: string): DecodedPart {
  const out = new ByteBuilder();
  const lfAt: number[] = []; // byte offset after each LF
  const lineAt: number[] = [firstLine]; // document line at each entry of lfAt (+ start)
  for (let k = 0; k < body.length; k++) {
    let line = body[k]!;
    let end = line.length;
    while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
    line = line.slice(0, end);
    const soft = line.endsWith("=");
    const n = soft ? line.length - 1 : line.length;
    for (let i = 0; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === 0x3d && i + 2 < n) {
        const hi = hexValue(line.charCodeAt(i + 1));
        const lo = hexValue(line.charCodeAt(i + 2));
        if (hi >= 0 && lo >= 0) {
          out.push(hi * 16 + lo);
          i += 2;
          if (hi * 16 + lo === 0x0a) lfAt.push(out.length), lineAt.push(firstLine + k);
          continue;
        }
      }
      out.pushChar(c);
    }
    if (!soft && k < body.length - 1) {
      out.push(0x0a);
      lfAt.push(out.length);
      lineAt.push(firstLine + k + 1);
    }
  }
  const at = new Map<number, number>();
  // lineAt has the start line and then one entry per entry of lfAt (pushed together).
  for (let i = 0; i < lfAt.length; i++) at.set(lfAt[i]!, lineAt[i + 1]!);
  return toPart(out.bytes(), lfAt, (b) => (b === 0 ? firstLine : (at.get(b) ?? firstLine)), charset);
}

const B64 = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/** Base64 (RFC 2045 §6.8); characters outside the alphabet are skipped. */
export function decodeBase64(body: string[], firstLine: number, charset?: string): DecodedPart {
  const out = new ByteBuilder();
  const lfAt: number[] = [];
  const byteLine: number[] = []; // document line of each decoded LF
  let acc = 0;
  let bits = 0;
  for (let k = 0; k < body.length; k++) {
    const line = body[k]!;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      const v = c < 128 ? B64[c]! : -1; // B64 has 128 entries
      if (v < 0) continue;
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const b = (acc >> bits) & 0xff;
        out.push(b);
        if (b === 0x0a) {
          lfAt.push(out.length);
          byteLine.push(firstLine + k);
        }
      }
    }
  }
  const at = new Map<number, number>();
  // byteLine has one entry per entry of lfAt (pushed together).
  for (let i = 0; i < lfAt.length; i++) at.set(lfAt[i]!, byteLine[i]!);
  return toPart(out.bytes(), lfAt, (b) => at.get(b) ?? firstLine, charset);
}

function identity(body: string[], firstLine: number): DecodedPart {
  return { text: body.join("\n"), lines: body.map((_, k) => firstLine + k) };
}

/** A body part that may hold a diff: text, or an attachment named like a patch. */
function mayHoldDiff(ct: ContentType, disposition: string): boolean {
  if (ct.type === "text/plain" || ct.type === "text/x-patch" || ct.type === "text/x-diff" || ct.type === "text/x-log") return true;
  const name = (ct.params.name ?? parseContentType(`x; ${disposition.replace(/^[^;]*;?/, "")}`).params.filename ?? "").toLowerCase();
  return /\.(patch|diff)$/.test(name);
}

/**
 * Decode a mail body given its Content-Type and Content-Transfer-Encoding header values. `body`
 * is the list of body lines, the first at document line `firstLine`.
 */
export function decodeBody(body: string[], firstLine: number, contentType: string, encoding: string, depth = 0): DecodedBody {
  const ct = parseContentType(contentType);
  const problems: string[] = [];
  if (ct.type.startsWith("multipart/")) {
    const boundary = ct.params.boundary;
    if (!boundary) return { parts: [], problems: [`${ct.type} without a boundary parameter`] };
    if (depth >= MAX_DEPTH) return { parts: [], problems: [`multipart nested deeper than ${MAX_DEPTH} levels`] };
    const parts: DecodedPart[] = [];
    for (const part of splitMultipart(body, boundary)) {
      const h = readPartHeaders(part.lines);
      const sub = decodeBody(part.lines.slice(h.bodyStart), firstLine + part.start + h.bodyStart, h.contentType, h.encoding, depth + 1);
      const subType = parseContentType(h.contentType);
      if (subType.type.startsWith("multipart/") || mayHoldDiff(subType, h.disposition)) parts.push(...sub.parts);
      problems.push(...sub.problems);
    }
    return { parts, problems };
  }
  const enc = encoding.trim().toLowerCase();
  if (enc === "quoted-printable") return { parts: [decodeQuotedPrintable(body, firstLine, ct.params.charset)], problems };
  if (enc === "base64") return { parts: [decodeBase64(body, firstLine, ct.params.charset)], problems };
  if (enc !== "" && enc !== "7bit" && enc !== "8bit" && enc !== "binary")
    problems.push(`unknown Content-Transfer-Encoding "${encoding.trim()}"`);
  return { parts: [identity(body, firstLine)], problems };
}

/** The parts between `--boundary` lines (the preamble and epilogue are dropped). */
function splitMultipart(body: string[], boundary: string): { start: number; lines: string[] }[] {
  const open = `--${boundary}`;
  const parts: { start: number; lines: string[] }[] = [];
  let current: { start: number; lines: string[] } | null = null;
  for (let k = 0; k < body.length; k++) {
    const line = body[k]!;
    if (line.startsWith(open)) {
      const rest = line.slice(open.length).trimEnd();
      if (rest === "" || rest === "--") {
        if (current) parts.push(current);
        current = rest === "--" ? null : { start: k + 1, lines: [] };
        if (rest === "--") break;
        continue;
      }
    }
    current?.lines.push(line);
  }
  if (current) parts.push(current);
  return parts;
}

/** Headers of a body part (folded lines joined): the ones decoding needs. */
function readPartHeaders(lines: string[]): { contentType: string; encoding: string; disposition: string; bodyStart: number } {
  const h = { contentType: "", encoding: "", disposition: "", bodyStart: lines.length };
  let last = "";
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.length === 0) {
      h.bodyStart = k + 1;
      break;
    }
    if ((line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) && last) {
      if (last === "content-type") h.contentType += ` ${line.trim()}`;
      else if (last === "content-disposition") h.disposition += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    last = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : "";
    const value = line.slice(colon + 1).trim();
    if (last === "content-type") h.contentType = value;
    else if (last === "content-transfer-encoding") h.encoding = value;
    else if (last === "content-disposition") h.disposition = value;
  }
  return h;
}
