/** gunzipBounded(): the inflated size is bounded whether the gzip trailer tells the truth or not. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "fflate";
import { gunzipBounded } from "../../patch/gzip";

const text = (n: number) => new TextEncoder().encode("x".repeat(n));

test("a gzip whose trailer says it inflates past the limit is refused", () => {
  const r = gunzipBounded(gzipSync(text(2_000_000)), 1_000_000);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /more than the 1000000-byte limit/);
});

test("a forged trailer (ISIZE 10) does not get a bomb past the bounded inflation", () => {
  const z = gzipSync(text(2_000_000));
  z.set([10, 0, 0, 0], z.length - 4);
  const r = gunzipBounded(z, 1_000_000);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /limit|corrupt/);
});

test("data within the limit comes back whole", () => {
  const r = gunzipBounded(gzipSync(text(300_000)), 1_000_000);
  assert.ok(r.ok);
  assert.equal((r as { bytes: Uint8Array }).bytes.length, 300_000);
});

test("the trailer alone refuses: nothing is inflated (a corrupt body with a large ISIZE says 'limit', not 'corrupt')", () => {
  const z = gzipSync(text(2_000_000));
  // Garble the deflate stream after the 10-byte header; keep CRC32 and ISIZE.
  for (let i = 10; i < z.length - 8; i++) z[i] = 0xff;
  const r = gunzipBounded(z, 1_000_000);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /more than the 1000000-byte limit/);
});
