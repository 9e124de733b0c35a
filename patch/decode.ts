/**
 * Byte and header decoding for patch documents: the bytes of a file to text (UTF-8, else latin1),
 * and RFC 2047 encoded words in mail headers. Pure TypeScript, no Node or DOM imports.
 */
import type { PatchDiagnostic } from "./model";
import { gunzipBounded, isGzip } from "./gzip";
// ---------------------------------------------------------------------------------------------
// Byte decoding

export type DecodeResult =
  | { ok: true; text: string; encoding: "utf-8" | "latin1"; diagnostics: PatchDiagnostic[] }
  | { ok: false; line: number; reason: string };

/** Bytes limit for `decodePatchBytes`, the same 64 MiB as the parser's character limit. */
export const MAX_PATCH_BYTES = 64 * 1024 * 1024;

function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Decode a patch file's bytes. UTF-8 is tried strictly first; text that is not valid UTF-8 (old
 * mails in ISO-8859-1 are common on kernel lists) is decoded as latin1 with a warning, unless it
 * holds control characters that no text file has, in which case it is refused. Bytes holding a NUL
 * are refused as binary.
 */
export function decodePatchBytes(bytes: Uint8Array, maxBytes = MAX_PATCH_BYTES): DecodeResult {
  if (bytes.length > maxBytes) {
    return { ok: false, line: 0, reason: `input is ${bytes.length} bytes, over the ${maxBytes}-byte limit` };
  }
  // A gzip'd mbox (lore serves threads as t.mbox.gz): inflated, within the same byte limit.
  if (isGzip(bytes)) {
    const inflated = gunzipBounded(bytes, maxBytes);
    if (!inflated.ok) return { ok: false, line: 0, reason: inflated.reason };
    bytes = inflated.bytes;
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return { ok: false, line: lineOfByte(bytes, nul), reason: `binary file (NUL byte at offset ${nul}), not a patch` };
  }
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    return { ok: true, text, encoding: "utf-8", diagnostics: [] };
  } catch {
    // fall through to latin1
  }
  let firstBad = -1;
  for (let i = 0; i < body.length; i++) {
    if (body[i]! >= 0x80) {
      firstBad = i;
      break;
    }
  }
  // Latin1 maps every byte to a code point, so it cannot fail; refuse only bytes that are not
  // plausible text in any 8-bit charset: C0 controls other than tab/LF/VT/FF/CR/ESC.
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) {
      return {
        ok: false,
        line: lineOfByte(body, i),
        reason: `not UTF-8 and not text (control byte 0x${b.toString(16).padStart(2, "0")} at offset ${i + start})`,
      };
    }
  }
  let text: string;
  try {
    text = new TextDecoder("latin1").decode(body);
  } catch {
    // TextDecoder("latin1") is windows-1252 in WHATWG; build the string by hand if a runtime lacks it.
    let s = "";
    for (let i = 0; i < body.length; i += 8192) {
      s += String.fromCharCode(...body.subarray(i, Math.min(body.length, i + 8192)));
    }
    text = s;
  }
  return {
    ok: true,
    text,
    encoding: "latin1",
    diagnostics: [
      {
        line: lineOfByte(body, Math.max(firstBad, 0)),
        severity: "warning",
        code: "not-utf8",
        message: `input is not valid UTF-8 (first bad byte at offset ${firstBad + start}); decoded as latin1`,
      },
    ],
  };
}

/** Longest header value decodeMimeWords scans (real headers are well under 1 KB). */
export const MAX_MIME_HEADER = 16384;

/**
 * Decode RFC 2047 encoded words (`=?UTF-8?q?Ren=C3=A9?=`, `=?utf-8?b?...?=`) in a header value, as
 * mailers write non-ASCII names and subjects. Unknown charsets and bad encodings are left as is.
 */
export function decodeMimeWords(value: string): string {
  // Real headers are short; a huge one is left alone rather than scanned with a regex.
  if (value.indexOf("=?") < 0 || value.length > MAX_MIME_HEADER) return value;
  // Whitespace between two encoded words is not part of the text.
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=/g, (whole, cs: string, enc: string, data: string) => {
      const charset = cs.toLowerCase().replace(/\*.*$/, "");
      let bytes: number[] = [];
      try {
        if (enc.toLowerCase() === "q") {
          const t = data.replace(/_/g, " ");
          for (let i = 0; i < t.length; i++) {
            if (t[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
              bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
              i += 2;
            } else bytes.push(t.charCodeAt(i) & 0xff);
          }
        } else {
          const bin = atob(data);
          bytes = Array.from(bin, (c) => c.charCodeAt(0));
        }
        return new TextDecoder(charset, { fatal: true }).decode(new Uint8Array(bytes));
      } catch {
        return whole;
      }
    });
}
