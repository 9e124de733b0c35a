import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fitLognormalExcess, proposeCalibrations } from "../../fidelity/calibrate";

describe("calibration fits", () => {
  it("recovers a log-normal's median and gsd from p50 and p90 above a floor", () => {
    const floor = 3;
    const z90 = 1.2815515655446004;
    // Nearest rank with n = 10: p50 is the 5th value, p90 the 9th.
    const xs = Float64Array.from([4, 5, 6, 8, floor + 10, 14, 16, 18, floor + 10 * Math.pow(2, z90), 100]).sort();
    const fit = fitLognormalExcess(xs, floor, 0.9, 0.99)!;
    assert.ok(Math.abs(fit.median_us - 10) < 1e-9);
    assert.ok(Math.abs(fit.gsd - 2) < 1e-9);
    assert.equal(fit.check_real_us, 100);
    assert.ok(Math.abs(fit.check_fit_us - (floor + 10 * Math.pow(2, 2.3263478740408408))) < 1e-6);
    // By default the fit matches p50 and p99 and checks p90.
    const d = fitLognormalExcess(xs, floor)!;
    assert.ok(Math.abs(d.median_us - 10) < 1e-9);
    assert.ok(Math.abs(floor + d.median_us * Math.pow(d.gsd, 2.3263478740408408) - 100) < 1e-6);
    assert.equal(d.check_q, 0.9);
  });

  it("refuses to fit when nothing is above the floor", () => {
    assert.equal(fitLognormalExcess(Float64Array.from([1, 2, 3]), 5), null);
  });

  it("checks the timer slack and reports the measured setscheduler cost", () => {
    const c = proposeCalibrations({
      fifo: Float64Array.from([10, 20, 30, 40, 50]),
      fifoIdle: Float64Array.from([20, 20, 20]),
      otherIdle: Float64Array.from([75, 75, 75]),
      simFifoFloorUs: 3,
      selfBoost: { calls: 10, avg_ns: 4321.4 },
      modelSlackUs: 50,
    });
    assert.deepEqual(
      c.map((x) => x.kind),
      ["fitted", "checked", "measured"],
    );
    assert.match(c[1]!.error!, /55\.0 us vs 50 us \(10%\)/);
    assert.equal(c[2]!.value, "4321");
  });
});

describe("what-if convolution", async () => {
  const c = await import("../../fidelity/calibrate");

  it("normal CDF and quantile are inverse and match known values", () => {
    assert.ok(Math.abs(c.normCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(c.normCdf(1.2815515655446004) - 0.9) < 1e-6);
    assert.ok(Math.abs(c.normQuantile(0.99) - 2.3263478740408408) < 1e-5);
  });

  it("adds a log-normal to a point mass", () => {
    // All simulated samples in [10, 12): midpoint 11. gsd 1 = a constant delay of 5.
    const w = c.convolveBinnedLognormal({ edges_us: [0, 10, 12], counts: [0, 7] }, 5, 1, 50);
    assert.ok(Math.abs(c.weightedMean(w) - 16) < 1e-9);
    assert.ok(Math.abs(c.weightedQuantile(w, 0.99) - 16) < 1e-9);
    // A real spread: the median shifts by the log-normal's median.
    const v = c.convolveBinnedLognormal({ edges_us: [0, 2], counts: [10] }, 50, 1.5, 201);
    assert.ok(Math.abs(c.weightedQuantile(v, 0.5) - 51) < 0.5);
    assert.ok(c.weightedQuantile(v, 0.99) > 51 * 1.5);
  });

  it("KS against weighted points", () => {
    const w = { values: [1, 2, 3, 4], weights: [1, 1, 1, 1] };
    assert.equal(c.ksSamplesVsWeighted(Float64Array.from([1, 2, 3, 4]), w), 0);
    assert.equal(c.ksSamplesVsWeighted(Float64Array.from([10, 11]), w), 1);
    assert.equal(c.ksSamplesVsWeighted(Float64Array.from([3, 4, 5, 6]), w), 0.5);
  });
});
