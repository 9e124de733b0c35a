import { test } from "node:test";
import assert from "node:assert/strict";
import { payloadProblem } from "../../common/protocol";
import { checkHostMessage, errorText } from "../../webview/lib/messages";
import { scenarioPayload } from "./fixtures/make";

test("results messages with a valid payload pass", () => {
  const c = checkHostMessage({ type: "results", payload: scenarioPayload() });
  assert.equal(c.ok, true);
});

test("malformed payloads are refused with a reason", () => {
  assert.match(payloadProblem(null)!, /not an object/);
  assert.match(payloadProblem({ title: "t", runs: "x" })!, /runs/);
  assert.match(payloadProblem({ title: "t", runs: [{ scenario: "s" }] })!, /run 0/);
  assert.match(payloadProblem({ title: "t", runs: [], cells: {} })!, /cells/);
  const c = checkHostMessage({ type: "results", payload: { runs: [] } });
  assert.equal(c.ok, false);
});

test("progress is clamped to 0..100 and errors keep only positive integer positions", () => {
  const p = checkHostMessage({ type: "progress", percent: 250, label: 3 });
  assert.deepEqual(p, { ok: true, msg: { type: "progress", percent: 100, label: "" } });
  const e = checkHostMessage({ type: "error", message: "bad", line: 3, column: -1 });
  assert.deepEqual(e, { ok: true, msg: { type: "error", message: "bad", line: 3, column: undefined } });
});

test("unknown types and non-objects are refused", () => {
  assert.equal(checkHostMessage("results").ok, false);
  assert.equal(checkHostMessage({ type: "eval", code: "1" }).ok, false);
  assert.equal(
    checkHostMessage({ type: "schema", schema: {} }).ok,
    false,
    "the schema message is gone: the editor reads the loader's schema",
  );
});

test("errorText puts line and column first", () => {
  assert.equal(errorText({ message: "m", line: 3, column: 7 }), "line 3, column 7: m");
  assert.equal(errorText({ message: "m", line: 3 }), "line 3: m");
  assert.equal(errorText({ message: "m" }), "m");
});

test("checkHostMessage: a run's end carries a known outcome", () => {
  const c = checkHostMessage({ type: "ended", outcome: "cancelled", label: "busy (3 modes)" });
  assert.deepEqual(c, { ok: true, msg: { type: "ended", outcome: "cancelled", label: "busy (3 modes)" } });
  assert.equal(checkHostMessage({ type: "ended", outcome: "exploded", label: "x" }).ok, false);
});
