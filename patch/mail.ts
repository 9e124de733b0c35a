/**
 * The mail layer of the patch parser: where one mail of an mbox ends and the next begins, and
 * what a mail's headers say (Subject, From, Date, Message-ID, the MIME headers), folded headers
 * included. patch/parse.ts drives it line by line; subjects are split by patch/subject.ts.
 *
 * Pure TypeScript, no Node or VS Code imports.
 */
import { escapeControls } from "../common/escape";
import { decodeMimeWords, MAX_MIME_HEADER } from "./decode";
import type { Patch, PatchDiagnostic } from "./model";
import { splitSubject } from "./subject";

/** `From <sha> Mon Sep 17 00:00:00 2001` (git) or any mbox `From addr Day Mon dd hh:mm:ss ...`. */
const MBOX_FROM_RE =
  /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{1,2}:\d\d:\d\d/;

/** `commit <sha>` of `git log -p` output: a patch starts there. */
export const COMMIT_RE = /^commit ([0-9a-f]{7,64})\b/;

/** Headers a saved mail (.eml) starts with before its From: (mail servers prepend these). */
export const MAIL_FIRST_HEADER_RE =
  /^(Return-Path|Received|Delivered-To|X-[A-Za-z0-9-]+|ARC-[A-Za-z-]+|DKIM-Signature|Authentication-Results|Message-I[Dd]|MIME-Version|Content-Type|To|Cc|In-Reply-To|References|Sender|Reply-To|List-Id): /;

/** An mbox separator line, which starts a mail. */
export function isMboxFrom(line: string): boolean {
  return line.startsWith("From ") && MBOX_FROM_RE.test(line);
}

/** The commit id of an mbox separator (`From <sha> ...`), or "" when it names none. */
export function mboxCommit(line: string): string {
  const sha = line.slice(5, line.indexOf(" ", 5));
  return /^[0-9a-f]{7,64}$/.test(sha) ? sha : "";
}

/** Where the mail whose body starts at `from` ends: the start of the next separator line, or the end. */
export function mailEnd(text: string, from: number): number {
  for (let i = text.indexOf("\nFrom ", from - 1); i >= 0; i = text.indexOf("\nFrom ", i + 1)) {
    const e = text.indexOf("\n", i + 1);
    if (isMboxFrom(text.slice(i + 1, e < 0 ? text.length : Math.min(e, i + 200)))) return i + 1;
  }
  return text.length;
}

type FoldedHeader = "subject" | "from" | "message-id" | "content-type" | "content-transfer-encoding";

/** The headers of the mail being read, as they are set on its patch. */
export class MailHeaders {
  /** The MIME headers of the mail being read. */
  contentType = "";
  encoding = "";
  /** Its subject starts with a reply marker (`Re:`): a review, not a patch. */
  reply = false;
  /** Index of the mail's first diagnostic (for a broken mail). */
  diagStart = 0;
  // A header that may continue on folded lines: its raw parts are collected and decoded and split
  // once when the header ends (finish), so a header folded over n lines costs O(n), not O(n^2)
  // or worse (re-splitting the whole subject at every line).
  private folded = null as { patch: Patch; name: FoldedHeader; parts: string[] } | null;

  /** A new mail starts; its diagnostics from index `diagStart` on. */
  start(diagStart: number): void {
    this.contentType = "";
    this.encoding = "";
    this.reply = false;
    this.diagStart = diagStart;
  }

  /** A header line `Name: value` of patch `p` (call finish() for the header before it first). */
  read(line: string, p: Patch): void {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "subject") {
      this.setSubject(p, decodeMimeWords(value));
      this.folded = { patch: p, name: "subject", parts: [value] };
    } else if (name === "from" || name === "author") {
      p.author = decodeMimeWords(value);
      this.folded = { patch: p, name: "from", parts: [value] };
    } else if (name === "date") {
      p.date = value;
    } else if (name === "message-id" || name === "content-type" || name === "content-transfer-encoding") {
      this.setMailHeader(p, name, value);
      this.folded = { patch: p, name, parts: [value] };
    }
  }

  /** A folded continuation line (RFC 5322): true when a header is open to take it. */
  fold(line: string): boolean {
    if (!this.folded) return false;
    this.folded.parts.push(line.trim());
    return true;
  }

  /** Ends the header being read: a folded one is unfolded, decoded and split once. */
  finish(): void {
    const f = this.folded;
    this.folded = null;
    if (!f || f.parts.length < 2) return; // one line: read() has set the field already
    const raw = f.parts.join(" ");
    // Encoded words may span folds (RFC 2047), so the unfolded value is decoded whole; one too
    // long for decodeMimeWords is decoded line by line instead.
    if (f.name !== "subject" && f.name !== "from") {
      this.setMailHeader(f.patch, f.name, raw);
      return;
    }
    const value = raw.length <= MAX_MIME_HEADER ? decodeMimeWords(raw) : f.parts.map(decodeMimeWords).join(" ");
    if (f.name === "from") {
      f.patch.author = value.trim();
      return;
    }
    this.setSubject(f.patch, value);
  }

  /** The body is quoted-printable, base64 or multipart: it is decoded before it is parsed. */
  needsDecoding(): boolean {
    const enc = this.encoding.trim().toLowerCase();
    return enc === "quoted-printable" || enc === "base64" || /^\s*multipart\//i.test(this.contentType);
  }

  /**
   * End of mail `p`. In a mailbox of archived mails (they carry a Message-ID) one mangled mail
   * must not cost the others: its broken diff becomes a warning and the caller drops its hunks
   * (true). A git format-patch file (no Message-ID) keeps the error, as a file the user made
   * should be whole.
   */
  broken(p: Patch | null, diags: PatchDiagnostic[]): boolean {
    if (!p?.messageId) return false;
    let broken = false;
    for (let i = this.diagStart; i < diags.length; i++) {
      const d = diags[i]!;
      if (d.severity !== "error" || (d.code !== "truncated-hunk" && d.code !== "bad-hunk-header")) continue;
      d.severity = "warning";
      d.code = "broken-message";
      d.message = escapeControls(`mail <${truncate(p.messageId, 200)}> skipped: ${d.message}`);
      broken = true;
    }
    return broken;
  }

  private setSubject(p: Patch, value: string): void {
    const s = splitSubject(value);
    p.subject = s.subject;
    p.subjectPrefix = s.prefix;
    p.index = s.index;
    p.total = s.total;
    this.reply = s.reply;
  }

  private setMailHeader(p: Patch, name: "message-id" | "content-type" | "content-transfer-encoding", value: string): void {
    if (name === "content-type") this.contentType = value;
    else if (name === "content-transfer-encoding") this.encoding = value;
    else {
      const v = value.trim();
      p.messageId = v.startsWith("<") && v.endsWith(">") ? v.slice(1, -1) : v;
    }
  }
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
