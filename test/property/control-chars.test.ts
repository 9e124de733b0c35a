/**
 * Messages that quote the user's text (a key of a scenario, a hunk header of a patch) end up on a
 * terminal (the CLI's stderr) and in the editor's Problems view. They must stay one line and must
 * not carry control characters from the input: a lone CR rewrites the line on a terminal, and ESC
 * starts a terminal escape sequence (clear the screen, set the window title).
 *
 * test/patch/property.test.ts covers the parser's structure; this file adds what it does not
 * check: the text of diagnostics. Found by the fuzzer (scripts/fuzz.mjs, seed 2 input 135).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parsePatchText } from "../../patch/parse";
import { escapeControls } from "../../common/escape";
import { formatError, loadScenario } from "../../scenario-loader/index";

const SEED = process.env.PVSCHED_PROPERTY_SEED ? Number(process.env.PVSCHED_PROPERTY_SEED) : 20261127;
const SCALE = Number(process.env.PVSCHED_PROPERTY_SCALE ?? 1);
/** C0 controls but tab, DEL, and C1 controls (U+0080-U+009F: CSI is U+009B). */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/;
const controlArb = fc.constantFrom("\r", "\u001b[2J", "\u001b]0;title\u0007", "\u0008", "\u009b31m", "\u0085", "\u000b");

test("patch: every diagnostic message is one line without LF", () => {
  // The part of the contract that holds today: no LF in a message (the CLI prints one line).
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), controlArb, (s, c) => {
      const r = parsePatchText(`--- a/x.c\n+++ b/x.c\n@@ -1 +x @@ ${s}${c}${s}\n-a\n+b\n`);
      for (const d of r.diagnostics) assert.ok(!d.message.includes("\n"), JSON.stringify(d.message));
    }),
    { numRuns: Math.round(200 * SCALE), seed: SEED },
  );
});

// Was open issue 4: "hunk header does not parse: <line>" quoted the line raw, CR and ESC included.
test("patch: diagnostics quote the input without its control characters", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), controlArb, (s, c) => {
      const r = parsePatchText(`--- a/x.c\n+++ b/x.c\n@@ -1 +x @@ ${s}${c}\n-a\n+b\n`);
      for (const d of r.diagnostics) assert.ok(!CONTROL.test(d.message), JSON.stringify(d.message));
    }),
    { numRuns: 100, seed: SEED },
  );
});

// Was open issue 4: an unknown key was quoted raw (`host.k\u001b[2J: unknown key "k\u001b[2J"`).
test("scenario: printed errors quote the input without its control characters", () => {
  fc.assert(
    fc.property(
      controlArb.filter((c) => c !== "\r" && c !== "\u0085"),
      (c) => {
        const text = `name: x\nhost:\n  cpus: 1\n  "k${c.replace(/[\u0000-\u001f\u007f-\u009f]/g, (x) => `\\x${x.charCodeAt(0).toString(16).padStart(2, "0")}`)}": 1\n`;
        const r = loadScenario(text);
        assert.ok(!r.ok);
        for (const e of r.errors) assert.ok(!CONTROL.test(formatError("f.yaml", e)), JSON.stringify(formatError("f.yaml", e)));
      },
    ),
    { numRuns: 20, seed: SEED },
  );
});

test("the escapes stay readable: ESC, CR, C1, U+2028 and bidi overrides are shown as escapes", () => {
  const r = loadScenario('name: x\nhost:\n  cpus: 1\n  "k\\e[2J\\u202e\\u2028": 1\n');
  assert.ok(!r.ok);
  // The message itself (what the editor shows) is escaped, not only the printed line.
  assert.match(r.errors[0]!.message, /^host\.k\\x1b\[2J\\u202e\\u2028: unknown key "k\\x1b\[2J\\u202e\\u2028"/);
  const p = parsePatchText("--- a/x.c\n+++ b/x.c\n@@ -1 +x @@ f\u001b]0;t\u0007\r\u009b\n-a\n+b\n");
  const bad = p.diagnostics.find((d) => d.code === "bad-hunk-header");
  assert.ok(bad);
  assert.equal(bad.message, "hunk header does not parse: @@ -1 +x @@ f\\x1b]0;t\\x07\\r\\x9b");
  // Tab and ordinary text are left alone.
  assert.equal(escapeControls("a\tb é 😀"), "a\tb é 😀");
});
