import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { escapeMarkdown, escapeNotification, escapeXml, safeFileName } from "../../common/escape";

// The host's own check of export names (common/protocol.ts isWebviewToHost).
const HOST_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

test("escapeXml escapes markup and quotes", () => {
  assert.equal(escapeXml(`<script>alert("x")&'</script>`), "&lt;script&gt;alert(&quot;x&quot;)&amp;&apos;&lt;/script&gt;");
  assert.equal(escapeXml("a\u0000b\u001Fc\td\ne"), "abc\td\ne");
});

test("escapeXml output never holds a raw < > or quote", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
      const e = escapeXml(s);
      assert.ok(!/[<>"']/.test(e));
      assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(e));
    }),
  );
});

test("safeFileName turns scenario names into names the host accepts", () => {
  assert.equal(safeFileName("seed-busy-500", "csv"), "seed-busy-500.csv");
  assert.equal(safeFileName("<script>alert(1)</script>", "json"), "_script_alert_1_script_.json");
  const up = safeFileName("../../etc/passwd", "svg");
  assert.match(up, HOST_NAME);
  assert.ok(!up.includes("/") && !up.startsWith("."), up);
  assert.equal(safeFileName("", "csv"), "results.csv");
  assert.equal(safeFileName("...", "csv"), "results.csv");
  assert.ok(safeFileName("x".repeat(500), "json").length <= 100);
});

test("safeFileName always matches the host's pattern and never starts with a dot", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.constantFrom("csv", "json", "svg"), (s, ext) => {
      const n = safeFileName(s, ext);
      assert.match(n, HOST_NAME);
      assert.ok(!n.startsWith("."));
      assert.ok(n.endsWith("." + ext));
    }),
  );
});

test("escapeNotification: a quoted [label](command:…) cannot become a link; nothing is lost", () => {
  // The link syntax VS Code's notifications turn into a clickable command.
  const link = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)\)/i;
  const evil = "unknown key [run me](command:workbench.action.terminal.new?%5B%5D)";
  assert.ok(link.test(evil));
  const e = escapeNotification(evil);
  assert.ok(!link.test(e), e);
  assert.equal(e.replace(/\\\(/g, "("), evil, "only a backslash was added");
  assert.equal(escapeNotification("a\u001b[2Jb"), "a\\x1b[2Jb");
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 20 }), (label, target) => {
      assert.ok(!link.test(escapeNotification(`[${label}](command:${target})`)));
    }),
  );
});

test("escapeMarkdown: punctuation is backslashed, so user text cannot form markup", () => {
  assert.equal(escapeMarkdown("[x](command:y)"), "\\[x\\]\\(command\\:y\\)");
  assert.equal(escapeMarkdown("**b** `c` <img>"), "\\*\\*b\\*\\* \\`c\\` \\<img\\>");
  assert.equal(escapeMarkdown("plain words 42"), "plain words 42");
});
