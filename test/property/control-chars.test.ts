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

test(
  "patch: diagnostics quote the input without its control characters",
  { todo: 'patch parser: "hunk header does not parse: <line>" quotes the line raw, CR and ESC included (e.g. `@@ -1 +x @@ f\\u001b[2J`)' },
  () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), controlArb, (s, c) => {
        const r = parsePatchText(`--- a/x.c\n+++ b/x.c\n@@ -1 +x @@ ${s}${c}\n-a\n+b\n`);
        for (const d of r.diagnostics) assert.ok(!CONTROL.test(d.message), JSON.stringify(d.message));
      }),
      { numRuns: 100, seed: SEED },
    );
  },
);

test(
  "scenario: printed errors quote the input without its control characters",
  { todo: 'scenario loader: an unknown key is quoted raw, e.g. `host.k\\u001b[2J: unknown key "k\\u001b[2J"`; formatError only folds CR/LF' },
  () => {
    fc.assert(
      fc.property(controlArb.filter((c) => c !== "\r" && c !== "\u0085"), (c) => {
        const text = `name: x\nhost:\n  cpus: 1\n  "k${c.replace(/[\u0000-\u001f\u007f-\u009f]/g, (x) => `\\x${x.charCodeAt(0).toString(16).padStart(2, "0")}`)}": 1\n`;
        const r = loadScenario(text);
        assert.ok(!r.ok);
        for (const e of r.errors) assert.ok(!CONTROL.test(formatError("f.yaml", e)), JSON.stringify(formatError("f.yaml", e)));
      }),
      { numRuns: 20, seed: SEED },
    );
  },
);
