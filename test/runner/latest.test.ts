/** A stale result never lands (runner/latest.ts, used by the extension's Runner). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LatestResults } from "../../runner/latest";

test("an older request that finishes after a newer one's results landed is dropped", () => {
  const l = new LatestResults();
  const a = l.begin();
  const b = l.begin();
  assert.equal(l.land(b), true, "the newer request lands");
  assert.equal(l.land(a), false, "the older one, finishing later, does not replace it");
  const c = l.begin();
  assert.equal(l.land(c), true);
});

test("requests that finish in order all land", () => {
  const l = new LatestResults();
  const a = l.begin();
  const b = l.begin();
  assert.equal(l.land(a), true);
  assert.equal(l.land(b), true);
});
