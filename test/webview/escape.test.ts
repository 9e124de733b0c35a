import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { escapeXml, safeFileName } from "../../webview/lib/escape";

// The host's own check of export names (webview/protocol.ts isWebviewToHost).
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
