/**
 * report/stats.ts against values computed by hand (the arithmetic is in the comments) and
 * against printed Student-t tables, never against the implementation itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ci95, pairedEffect, replicatedStat, tQuantile } from "../../report/intervals";
import { excludesZero, mean, median, percentile, quantile, sampleVariance } from "../../report/stats";

const near = (a: number, b: number, tol: number, what = "") => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

test("t quantiles match the printed table (two-sided 95 %: t(0.975, df))", () => {
  // Student-t table, column 0.975: df 1 12.706, 2 4.303, 4 2.776, 9 2.262, 29 2.045, 1000 1.962.
  const table: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [4, 2.776],
    [9, 2.262],
    [29, 2.045],
    [1000, 1.962],
  ];
  for (const [df, t] of table) near(tQuantile(0.975, df), t, 0.0005, `df ${df}`);
  near(tQuantile(0.025, 9), -2.262, 0.0005, "symmetric");
  near(tQuantile(0.95, 9), 1.833, 0.0005, "one-sided 95 %");
});

test("mean, sample variance and the 95 % interval", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  // deviations -1.5 -0.5 0.5 1.5: squares sum to 5, / (4 - 1)
  near(sampleVariance([1, 2, 3, 4]), 5 / 3, 1e-12);
  assert.ok(Number.isNaN(sampleVariance([7])));
  // [1..5]: mean 3, s^2 = 10/4 = 2.5, se = sqrt(2.5/5) = 0.70711, t(0.975, 4) = 2.77645: half 1.96324
  const ci = ci95([1, 2, 3, 4, 5])!;
  near(ci[0], 1.03676, 1e-4);
  near(ci[1], 4.96324, 1e-4);
  assert.equal(ci95([42]), null, "one replication has no interval");
  assert.deepEqual(ci95([5, 5, 5]), [5, 5], "no spread, no width");
});

test("percentiles: linear between order statistics; nearest rank for sample quantiles", () => {
  const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  // h = (10 - 1) * 0.1 = 0.9: 1 + 0.9 * (2 - 1); h = 8.1: 9 + 0.1 * (10 - 9)
  near(percentile(ten, 0.1), 1.9, 1e-12);
  near(percentile(ten, 0.9), 9.1, 1e-12);
  assert.equal(percentile([3, 1, 2], 0.5), 2);
  assert.equal(percentile([4], 0.9), 4);
  // nearest rank: ceil(0.9 * 10) = 9th value
  assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.05), 1);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), null);
});

test("a replicated quantity: mean, interval, and the 10-90 % band for maxima", () => {
  const s = replicatedStat([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], { band: true });
  assert.equal(s.replications, 10);
  assert.equal(s.mean, 550);
  // band: 100 + 0.9 * 100 = 190 and 900 + 0.1 * 100 = 910
  near(s.band10_90![0], 190, 1e-9);
  near(s.band10_90![1], 910, 1e-9);
  // s^2 = 91666.67 (sum of squared deviations 825000 / 9), se = 95.743, t(0.975, 9) = 2.26216: half 216.59
  near(s.ci95![0], 333.41, 0.01);
  near(s.ci95![1], 766.59, 0.01);
  assert.equal(replicatedStat([1, 2]).band10_90, undefined);
});

test("a non-negative quantity's interval starts at 0, not below; a signed one keeps its t interval", () => {
  // mean 43.33, s^2 = 5633.33 (sum of squared deviations 11266.67 / 2), se = 43.33, t(0.975, 2) = 4.30265: half 186.45
  const skewed = replicatedStat([0, 0, 130]);
  assert.equal(skewed.ci95![0], 0);
  near(skewed.ci95![1], 229.78, 0.01);
  // The same spread around a value that can be negative (a difference): no floor.
  near(replicatedStat([-10, -10, 120]).ci95![0], -153.11, 0.01);
});

test("paired effects: per-replication differences; significant only when the interval excludes zero", () => {
  // differences 1, 2, 1: mean 4/3, s = 0.57735, se = 0.33333, t(0.975, 2) = 4.30265: half 1.43422
  const weak = pairedEffect([10, 12, 14], [11, 14, 15]);
  near(weak.mean, 4 / 3, 1e-12);
  near(weak.ci95![0], -0.10088, 1e-4);
  near(weak.ci95![1], 2.76755, 1e-4);
  assert.equal(weak.significant, false);
  // differences -1, -1.1, -0.9 (another base level each time: pairing removes it): half 0.24841
  const strong = pairedEffect([10, 500, 3], [9, 498.9, 2.1]);
  near(strong.mean, -1, 1e-9);
  near(strong.ci95![1], -0.75159, 1e-4);
  assert.equal(strong.significant, true);
  assert.equal(pairedEffect([5], [9]).significant, false, "one replication: no interval, so no significant effect");
  assert.equal(excludesZero([0, 3]), false);
  assert.equal(excludesZero([-3, -0.1]), true);
  assert.throws(() => pairedEffect([1, 2], [1]), /2 against 1/);
});
