import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fmtDelta, fmtNs, fmtTickUs, fmtTimeTick, fmtUs } from "../../webview/lib/format";
import { linearTicks } from "../../webview/lib/scale";

test("fmtUs rounds for reading and marks missing values", () => {
  assert.equal(fmtUs(216835), "216,835");
  assert.equal(fmtUs(22.94), "22.9");
  assert.equal(fmtUs(7.1), "7.10");
  assert.equal(fmtUs(9), "9");
  assert.equal(fmtUs(undefined), "—");
  assert.equal(fmtUs(NaN), "—");
});

test("fmtDelta: a signed difference with a real minus, formatted like the values; zero has no sign", () => {
  assert.equal(fmtDelta(12.94), "+12.9");
  assert.equal(fmtDelta(-3.4), "\u22123.40");
  assert.equal(fmtDelta(-216835), "\u2212216,835");
  assert.equal(fmtDelta(0), "\u00b10");
  // Rounds to zero at the column's precision: no sign either way.
  assert.equal(fmtDelta(-0.001), "\u00b10.00");
  assert.equal(
    fmtDelta(0.4, (v) => Math.round(v).toLocaleString("en-US")),
    "\u00b10",
  );
  assert.equal(
    fmtDelta(-2, (v) => Math.round(v).toLocaleString("en-US")),
    "\u22122",
  );
  assert.equal(fmtDelta(undefined), "\u2014");
  assert.equal(fmtDelta(NaN), "\u2014");
});

test("fmtNs and fmtTickUs pick a unit", () => {
  assert.equal(fmtNs(0), "0");
  assert.equal(fmtNs(1_500_000_000), "1.5 s");
  assert.equal(fmtNs(23_100_000), "23.1 ms");
  assert.equal(fmtNs(750), "750 ns");
  assert.equal(fmtTickUs(100000), "100k");
  assert.equal(fmtTickUs(1e6), "1M");
});

test("fmtTimeTick labels ticks in seconds from 1 s on, else ms or µs, with the step's decimals", () => {
  assert.equal(fmtTimeTick(1_492_000_000, 2_000_000), "1.492 s");
  assert.equal(fmtTimeTick(1_500_000_000, 500_000_000), "1.5 s");
  assert.equal(fmtTimeTick(2_000_000_000, 1_000_000_000), "2 s");
  assert.equal(fmtTimeTick(2_553_500_000, 500_000), "2.5535 s");
  assert.equal(fmtTimeTick(75_611_534_000, 1_000), "75.611534 s");
  assert.equal(fmtTimeTick(1_250_000, 50_000), "1.25 ms");
  assert.equal(fmtTimeTick(1_000_000, 200_000), "1.0 ms");
  assert.equal(fmtTimeTick(250_000, 50_000), "250 µs");
  assert.equal(fmtTimeTick(0, 1e6), "0");
});

test("property: neighbouring time ticks never get the same label", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 90e9 }),
      fc.integer({ min: 1000, max: 90e9 }),
      fc.integer({ min: 2, max: 12 }),
      (from, span, n) => {
        const ticks = linearTicks(from, from + span, n);
        if (ticks.length < 2) return;
        const step = ticks[1]! - ticks[0]!;
        const labels = ticks.map((t) => fmtTimeTick(t, step));
        assert.equal(new Set(labels).size, labels.length, labels.join(" | "));
      },
    ),
  );
});
