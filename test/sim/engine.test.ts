/**
 * The event engine on its own: order, ties, the FIFO for "now", lazy cancellation, handles that
 * go stale when their record is reused, and the event budget.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, NO_EVENT, TIME_ZERO } from "../../sim-core/engine";

test("events run in time order, ties in insertion order, heap and now-FIFO interleaved", () => {
  const e = new Engine();
  const log: string[] = [];
  e.at(30, () => log.push("c30"));
  e.at(10, () => {
    log.push("a10");
    // Scheduled at the current time from inside an event: after every event already queued
    // for t = 10 (insertion order), before anything later.
    e.at(10, () => log.push("d10-now"));
    e.after(0, () => log.push("e10-now"));
  });
  e.at(10, () => log.push("b10"));
  e.at(20, () => log.push("f20"));
  assert.equal(e.run(100, Infinity), true);
  assert.deepEqual(log, ["a10", "b10", "d10-now", "e10-now", "f20", "c30"]);
  assert.equal(e.now, 100, "the clock ends at `until` when the queue runs dry before it");
  assert.equal(e.events, 6);
});

test("an event in the past runs now, not in the past", () => {
  const e = new Engine();
  let at = -1;
  e.at(50, () => e.at(5, () => (at = e.now)));
  e.run(100, Infinity);
  assert.equal(at, 50);
});

test("cancel() skips a pending event and reports whether it did", () => {
  const e = new Engine();
  const log: number[] = [];
  const h1 = e.at(10, () => log.push(1));
  e.at(20, () => log.push(2));
  assert.equal(e.cancel(h1), true);
  assert.equal(e.cancel(h1), false, "a second cancel finds nothing pending");
  assert.equal(e.cancel(NO_EVENT), false);
  e.run(100, Infinity);
  assert.deepEqual(log, [2]);
  assert.equal(e.events, 1, "cancelled events are not counted");
});

test("a stale handle cannot cancel the event that reuses its record", () => {
  const e = new Engine();
  const log: string[] = [];
  const stale = e.at(10, () => log.push("first"));
  e.run(10, Infinity);
  // The record of the first event is free now and is reused by the next scheduling.
  const fresh = e.at(20, () => log.push("second"));
  assert.notEqual(fresh, stale);
  assert.equal(e.cancel(stale), false, "the stale handle names an event that already ran");
  e.run(30, Infinity);
  assert.deepEqual(log, ["first", "second"]);
});

test("a cancelled record is reused only after it is popped, and old handles stay dead", () => {
  const e = new Engine();
  const log: string[] = [];
  const h = e.at(10, () => log.push("cancelled"));
  e.cancel(h);
  e.run(15, Infinity); // pops and recycles the cancelled record
  const h2 = e.at(20, () => log.push("live"));
  assert.equal(e.cancel(h), false);
  e.run(30, Infinity);
  assert.deepEqual(log, ["live"]);
  assert.equal(e.cancel(h2), false, "an event that ran cannot be cancelled");
});

test("cancelling its own handle from inside the callback is a no-op", () => {
  const e = new Engine();
  let h = NO_EVENT;
  let result: boolean | undefined;
  h = e.at(10, () => {
    result = e.cancel(h);
  });
  e.run(20, Infinity);
  assert.equal(result, false);
});

test("the budget stops the run between live events and run() resumes where it stopped", () => {
  const e = new Engine();
  const log: number[] = [];
  for (let i = 1; i <= 5; i++) e.at(i * 10, () => log.push(i));
  assert.equal(e.run(100, 2), false);
  assert.deepEqual(log, [1, 2]);
  assert.equal(e.now, 20);
  assert.equal(e.run(100, Infinity), true);
  assert.deepEqual(log, [1, 2, 3, 4, 5]);
  assert.equal(e.events, 5);
});

test("events after `until` stay queued", () => {
  const e = new Engine();
  e.at(10, () => {});
  e.at(200, () => {});
  e.run(100, Infinity);
  assert.equal(e.pending, 1);
  assert.equal(e.now, 100);
});

test("a pause at `until` runs every event up to it and leaves the clock and onAdvance alone", () => {
  const e = new Engine();
  const advances: number[] = [];
  e.onAdvance = (t) => advances.push(t);
  e.at(10, () => {});
  e.at(50, () => {});
  e.at(200, () => {});
  assert.equal(e.run(50, Infinity, true), true, "reached the pause");
  assert.equal(e.now, 50, "the event at `until` ran");
  assert.equal(e.run(120, Infinity, true), true);
  assert.equal(e.now, 50, "no event before 120: the clock stays where the last event left it");
  assert.deepEqual(advances, [10, 50]);
  e.run(300, Infinity);
  assert.deepEqual(advances, [10, 50, 200, 300], "the end of a run moves the clock on to `until`");
  assert.equal(e.now, 300);
});

test("the now-FIFO grows past its initial capacity and keeps order", () => {
  const e = new Engine();
  const log: number[] = [];
  e.at(5, () => {
    for (let i = 0; i < 1000; i++) e.at(5, () => log.push(i));
  });
  e.run(10, Infinity);
  assert.equal(log.length, 1000);
  assert.ok(log.every((v, i) => v === i));
});

test("a heap of many events pops in (time, insertion) order", () => {
  const e = new Engine();
  const got: [number, number][] = [];
  // A fixed pseudo-random order of times with many ties.
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const t = 1 + (x % 97);
    e.at(t, () => got.push([t, i]));
  }
  e.run(1000, Infinity);
  for (let k = 1; k < got.length; k++) {
    const [t0, i0] = got[k - 1]!;
    const [t1, i1] = got[k]!;
    assert.ok(t0 < t1 || (t0 === t1 && i0 < i1), `out of order at ${k}: ${t0}/${i0} then ${t1}/${i1}`);
  }
});

test("time and handles are doubles from the first event: fields start from -0, handles at or above 2^31", () => {
  // V8 keeps a field's first representation; a small-integer start would change it mid-run (issue 13).
  const eng = new Engine();
  assert.ok(Object.is(TIME_ZERO, -0) && Object.is(NO_EVENT, -0));
  // The clock's field is created from TIME_ZERO and then set to +0, so times derived from it are never -0.
  assert.ok(Object.is(eng.now, 0));
  const handles = [eng.at(0, () => {}), eng.at(5, () => {})];
  eng.run(10, 100);
  handles.push(eng.at(20, () => {}));
  for (const h of handles) assert.ok(h >= 2 ** 31 && h !== NO_EVENT, String(h));
  assert.ok(eng.cancel(handles[2]!));
  assert.ok(!eng.cancel(NO_EVENT));
});

test("onAdvance sees each new instant once, before its events run, and the clock's move to `until`", () => {
  const e = new Engine();
  const log: string[] = [];
  e.onAdvance = (t) => log.push(`advance ${t} (now ${e.now})`);
  e.at(10, () => log.push("a10"));
  e.at(10, () => {
    log.push("b10");
    e.at(10, () => log.push("c10-now"));
  });
  const dead = e.at(15, () => log.push("x15"));
  e.cancel(dead);
  e.at(20, () => log.push("d20"));
  e.run(50, Infinity);
  assert.deepEqual(log, ["advance 10 (now 0)", "a10", "b10", "c10-now", "advance 20 (now 10)", "d20", "advance 50 (now 20)"]);
});

test("recycled records keep insertion order among ties", () => {
  const e = new Engine();
  // Three events run first, so that the next three records come from the free list.
  for (let i = 1; i <= 3; i++) e.at(i, () => {});
  e.run(5, Infinity);
  const log: string[] = [];
  for (const name of ["a", "b", "c"]) e.at(10, () => log.push(name));
  e.run(20, Infinity);
  assert.deepEqual(log, ["a", "b", "c"]);
});

test("the now-FIFO wraps around its ring while it grows, keeps order, and counts what is pending", () => {
  const e = new Engine();
  const log: number[] = [];
  const pendingSeen: number[] = [];
  let next = 0;
  // Each event run "now" queues two more until 2000 have been queued: the ring's head moves on
  // while its tail catches up with it, so it fills and grows with a head away from slot 0.
  const spawn = () => {
    const id = next++;
    return () => {
      log.push(id);
      if (id % 100 === 0) pendingSeen.push(e.pending);
      for (let k = 0; k < 2 && next < 2000; k++) e.at(e.now, spawn());
    };
  };
  e.at(7, spawn());
  e.run(10, Infinity);
  assert.equal(log.length, 2000);
  assert.ok(
    log.every((v, i) => v === i),
    "breadth-first: insertion order",
  );
  // As event id starts, ids 0..2id (at most 1999) have been queued and id + 1 of them taken.
  assert.deepEqual(
    pendingSeen,
    Array.from({ length: 20 }, (_, j) => Math.min(2 * (100 * j) + 1, 2000) - (100 * j + 1)),
  );
  assert.equal(e.pending, 0);
  assert.equal(e.events, 2000);
});

test("a stalled run counts the events it ran", () => {
  const e = new Engine(50);
  const again = () => e.after(0, again);
  e.at(5, () => {});
  e.at(5, again);
  assert.equal(e.run(100, Infinity), false);
  assert.equal(e.events, 50);
});

test("an event exactly at `until` ends the run without a second onAdvance to `until`", () => {
  const e = new Engine();
  const advances: number[] = [];
  e.onAdvance = (t) => advances.push(t);
  e.at(40, () => {});
  e.run(40, Infinity);
  e.at(60, () => {});
  e.run(60, Infinity);
  assert.deepEqual(advances, [40, 60]);
});

test("the now-FIFO grows when full even after its head has moved on", () => {
  const e = new Engine();
  const log: number[] = [];
  let next = 0;
  const ev = (push: number) => {
    const id = next++;
    return () => {
      log.push(id);
      for (let k = 0; k < push; k++) e.at(e.now, ev(0));
    };
  };
  // 255 queued, then two taken (the first queues nothing), then 300 more queued in one go: the
  // ring is full while its head is at slot 2.
  e.at(7, () => {
    e.at(7, ev(0));
    e.at(7, ev(300));
    for (let k = 2; k < 255; k++) e.at(7, ev(0));
  });
  e.run(10, Infinity);
  assert.equal(log.length, 555);
  assert.ok(
    log.every((v, i) => v === i),
    "insertion order",
  );
});
