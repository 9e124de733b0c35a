import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fitLognormalExcess, proposeCalibrations } from "../../fidelity/calibrate";

describe("calibration fits", () => {
  it("recovers a log-normal's median and gsd from p50 and p90 above a floor", () => {
    const floor = 3;
    const z90 = 1.2815515655446004;
    // Nearest rank with n = 10: p50 is the 5th value, p90 the 9th.
    const xs = Float64Array.from([4, 5, 6, 8, floor + 10, 14, 16, 18, floor + 10 * Math.pow(2, z90), 100]).sort();
    const fit = fitLognormalExcess(xs, floor)!;
    assert.ok(Math.abs(fit.median_us - 10) < 1e-9);
    assert.ok(Math.abs(fit.gsd - 2) < 1e-9);
    assert.equal(fit.p99_real_us, 100);
    assert.ok(Math.abs(fit.p99_fit_us - (floor + 10 * Math.pow(2, 2.3263478740408408))) < 1e-6);
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
    assert.deepEqual(c.map((x) => x.kind), ["fitted", "checked", "measured"]);
    assert.match(c[1].error!, /55\.0 us vs 50 us \(10%\)/);
    assert.equal(c[2].value, "4321");
  });
});
