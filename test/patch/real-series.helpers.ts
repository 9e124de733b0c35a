/**
 * Real mails (test/fixtures/real/) as the mailboxes users have: one mbox per series as lore
 * writes it, and the other forms issue 10 names (CRLF, gzip, quoted-printable, a multipart
 * attachment, neutral subjects renumbered into a longer series), built here from the verbatim
 * mails. Accuracy is measured against the hand-written labels.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "fflate";
import { decodePatchBytes, parsePatchText, type ParseResult } from "../../patch/parse";
import { mapPatch, type MappedHunk } from "../../patch/mapper";

export const REAL = join(__dirname, "..", "fixtures", "real");

export interface Label {
  mail: string;
  index: number;
  file: string;
  oldStart: number;
  newStart: number;
  label: string;
  alsoRight?: string[];
  reason: string;
}

export const SERIES = ["v1", "v2", "ready-boost-2019", "pv-sched-yield-2019", "unrelated-hwmon-pwm-fan"] as const;

export function mails(series: string): string[] {
  return readdirSync(join(REAL, series))
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => readFileSync(join(REAL, series, f), "utf8"));
}

export function labels(series: string): Label[] {
  return JSON.parse(readFileSync(join(REAL, "labels", `${series}.json`), "utf8")).hunks;
}

/** An mbox as lore writes one (mboxrd: body lines starting with `From ` get a `>`). */
export function mbox(list: string[]): string {
  return list
    .map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m.replace(/^(>*From )/gm, ">$1")}${m.endsWith("\n") ? "" : "\n"}`)
    .join("");
}

export interface Accuracy {
  found: number;
  right: number;
  unmapped: number;
  wrong: string[];
}

/** Score mapped hunks against labels, in document order; `found` counts hunks at the labelled @@ numbers. */
export function accuracy(hunks: MappedHunk[], want: Label[]): Accuracy {
  const a: Accuracy = { found: 0, right: 0, unmapped: 0, wrong: [] };
  want.forEach((l, i) => {
    const h = hunks[i];
    if (!h || h.file !== l.file || h.oldStart !== l.oldStart || h.newStart !== l.newStart) {
      a.wrong.push(`${l.mail}#${l.index}: not found`);
      return;
    }
    a.found++;
    const got = h.mechanism ?? "unmapped";
    if (got === "unmapped") a.unmapped++;
    if (got === l.label || l.alsoRight?.includes(got)) a.right++;
    else a.wrong.push(`${l.mail}#${l.index} ${l.file}: want ${l.label}, got ${got} (${h.reason})`);
  });
  if (hunks.length !== want.length) a.wrong.push(`${hunks.length} hunks mapped, ${want.length} labelled`);
  return a;
}

export function mapText(text: string): { parsed: ParseResult; hunks: MappedHunk[] } {
  const parsed = parsePatchText(text);
  return { parsed, hunks: mapPatch(parsed) };
}

/** Through the bytes path the CLI takes (gzip detection, UTF-8 decoding). */
export function mapBytes(bytes: Uint8Array): { parsed: ParseResult; hunks: MappedHunk[] } {
  const d = decodePatchBytes(bytes);
  if (!d.ok) throw new Error(d.reason);
  return mapText(d.text);
}

export const gzip = (text: string) => gzipSync(new TextEncoder().encode(text));

/** Headers and body of a mail. */
function split(m: string): [string, string] {
  const at = m.indexOf("\n\n");
  return [m.slice(0, at + 1), m.slice(at + 2)];
}

const hex = (b: number) => `=${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** Quoted-printable, as mailers write it: `=XX` for `=` and 8-bit bytes, soft breaks at 76 columns. */
export function quotedPrintable(body: string): string {
  return body
    .split("\n")
    .map((line) => {
      let enc = "";
      const bytes = new TextEncoder().encode(line);
      bytes.forEach((b, i) => {
        const last = i === bytes.length - 1;
        enc += b === 0x3d || b > 0x7e || (b < 0x20 && b !== 0x09) || (last && (b === 0x20 || b === 0x09)) ? hex(b) : String.fromCharCode(b);
      });
      const out: string[] = [];
      while (enc.length > 76) {
        let cut = 75;
        const eq = enc.lastIndexOf("=", cut);
        if (eq > cut - 3) cut = eq; // never split an =XX
        out.push(`${enc.slice(0, cut)}=`);
        enc = enc.slice(cut);
      }
      out.push(enc);
      return out.join("\n");
    })
    .join("\n");
}

export function asQuotedPrintable(m: string): string {
  const [h, b] = split(m);
  return `${h.replace(/^Content-Transfer-Encoding: .*$/m, "Content-Transfer-Encoding: quoted-printable")}\n${quotedPrintable(b)}`;
}

/** The commit message inline and the diff as a base64 attachment of a multipart/mixed mail. */
export function asAttachment(m: string): string {
  const [h, b] = split(m);
  const at = b.indexOf("\ndiff --git ");
  const message = at < 0 ? b : b.slice(0, at + 1);
  const diff = at < 0 ? "" : b.slice(at + 1);
  const b64 = Buffer.from(diff, "utf8").toString("base64").replace(/.{76}/g, "$&\n");
  const boundary = "------------pvsched0boundary";
  const headers = h.replace(/^Content-Transfer-Encoding: .*$/m, `Content-Type: multipart/mixed; boundary="${boundary}"`);
  return (
    `${headers}\nThis is a multi-part message in MIME format.\n--${boundary}\nContent-Type: text/plain; charset=UTF-8\n` +
    `Content-Transfer-Encoding: 8bit\n\n${message}\n--${boundary}\nContent-Type: text/x-patch; charset=UTF-8;\n name="0001.patch"\n` +
    `Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\n filename="0001.patch"\n\n${b64}\n--${boundary}--\n`
  );
}

/** The same mail with a neutral subject and another patch number (n/total). */
export function renumbered(m: string, n: number, total: number): string {
  return m.replace(/^Subject: .*(\n[ \t].*)*$/m, `Subject: [PATCH ${n}/${total}] misc: update`);
}
