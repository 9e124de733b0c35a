/**
 * The tracer's queue of armed samples (sim-core/why-queue.ts) against a plain list: after any
 * sequence of arms, removals and time moves, the late list holds exactly the armed samples whose
 * expiry is before the time reached, and `next` is the earliest expiry still ahead.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ArmedSamples, type Queued } from "../../sim-core/why-queue";

type Op = { kind: "arm"; i: number; target: number } | { kind: "remove"; i: number } | { kind: "pass"; dt: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("arm" as const), i: fc.nat(7), target: fc.nat(200) }),
  fc.record({ kind: fc.constant("remove" as const), i: fc.nat(7) }),
  fc.record({ kind: fc.constant("pass" as const), dt: fc.nat(40) }),
);

test("late and next agree with a list of armed samples", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const q = new ArmedSamples<Queued & { id: number }>();
      const xs = Array.from({ length: 8 }, (_, id) => ({ id, target: 0, where: 0 as 0 | 1 | 2 | 3, slot: -1 }));
      // The oracle: armed ids with their targets, and which of them have passed.
      const armed = new Map<number, number>();
      const passed = new Set<number>();
      let now = 0;
      for (const o of ops) {
        if (o.kind === "arm") {
          xs[o.i]!.target = now + o.target;
          q.arm(xs[o.i]!);
          armed.set(o.i, now + o.target);
          passed.delete(o.i);
        } else if (o.kind === "remove") {
          q.remove(xs[o.i]!);
          armed.delete(o.i);
          passed.delete(o.i);
        } else {
          now += o.dt;
          q.passTo(now);
          for (const [id, t] of armed) if (t < now) passed.add(id);
        }
        assert.deepEqual(q.late.map((x) => x.id).sort(), [...passed].sort());
        const ahead = [...armed].filter(([id]) => !passed.has(id)).map(([, t]) => t);
        assert.equal(q.next, ahead.length ? Math.min(...ahead) : Number.POSITIVE_INFINITY);
      }
    }),
    { seed: 15, numRuns: 300 },
  );
});

test("a full late list follows no more samples: the ones past it are marked not followed", () => {
  const q = new ArmedSamples<Queued>(2);
  const xs = [10, 20, 30, 40].map((target) => ({ target, where: 0 as 0 | 1 | 2 | 3, slot: -1 }));
  for (const x of xs) q.arm(x);
  q.passTo(35);
  assert.deepEqual(
    xs.map((x) => x.where),
    [2, 2, 3, 1],
  );
  assert.equal(q.late.length, 2);
  // One of the followed ones runs: room for the next to pass.
  q.remove(xs[0]!);
  q.passTo(45);
  assert.deepEqual(
    xs.map((x) => x.where),
    [0, 2, 3, 2],
  );
  // A sample not followed is armed again like any other.
  q.arm(xs[2]!);
  assert.equal(xs[2]!.where, 1);
});

test("a sample is late only once time has passed its expiry, not at it", () => {
  const q = new ArmedSamples<Queued>();
  const x = { target: 10, where: 0 as 0 | 1 | 2 | 3, slot: -1 };
  q.arm(x);
  q.passTo(10);
  assert.equal(q.late.length, 0);
  assert.equal(x.where, 1);
  assert.equal(q.next, 10);
  q.passTo(11);
  assert.deepEqual(q.late, [x]);
  assert.equal(x.where, 2);
  assert.equal(q.next, Number.POSITIVE_INFINITY);
});
