/**
 * The discrete-event engine: one clock in integer nanoseconds and a binary heap of events.
 * Like SimPy's core it only orders callbacks in time; everything else is in the models.
 * Ties are broken by insertion order, so a run is a pure function of its inputs.
 *
 * Events for "now" (a reschedule, an irq exit) are the most frequent kind; they go to a FIFO
 * beside the heap, which keeps the same (time, insertion) order at a fraction of the cost.
 *
 * Event records are recycled once run or dropped, so a long run makes little garbage. Callers
 * therefore never hold a record: `at()` returns a handle (a number) that names one scheduling of
 * one record, and `cancel(handle)` checks the record's generation, so a stale handle (its event
 * already ran, or was cancelled and its record reused) cancels nothing.
 */

/**
 * Zero as a double, the start value of every time field (issue 13). V8 gives an object field the
 * representation of the first value stored in it: a field that starts as the integer 0 holds
 * small integers until simulated time passes 2^31 ns, and the first larger value then deprecates
 * the object's map, which throws away the optimised code that used it, on every cold run. -0 is
 * the one zero that is not a small integer, so a field that starts from it is a double from the
 * first event; it compares, adds and prints as 0.
 */
export const TIME_ZERO = -0;

/** A scheduled event, as `at()` and `after()` return it. 0 is never a valid handle. */
export type EvHandle = number;

/**
 * The handle value that names no event (what a holder stores when it holds none): 0 as a double,
 * like every handle (generations start at FIRST_GEN), so a field holding handles never changes
 * representation (see TIME_ZERO).
 */
export const NO_EVENT: EvHandle = TIME_ZERO;

interface Ev {
  t: number;
  seq: number;
  fn: () => void;
  /** Cancelled events stay queued and are skipped when popped (lazy deletion). */
  dead: boolean;
  /** Index of the record in the engine's slot table. */
  readonly slot: number;
  /** Bumped each time the record is reused: part of every handle to it. */
  gen: number;
}

/** Handles pack (generation, slot): slots below 2^21, generations below 2^32, within 2^53. */
const SLOT_BITS = 21;
const SLOT_SPAN = 2 ** SLOT_BITS;
/** The first generation of a record: 2^10, so that every handle is at least 2^31, a double. */
const FIRST_GEN = 2 ** 10;

export class Engine {
  /** Simulated time, ns: a double field (created from TIME_ZERO) that holds +0 from the start. */
  now = TIME_ZERO;
  events = 0;
  /**
   * Set when run() stopped because time stood still: more than `maxEventsPerInstant` events ran
   * at one instant. A model whose events keep scheduling each other "now" would otherwise loop
   * for ever without reaching its end or any time-based limit (issue 14).
   */
  stalled = false;
  /**
   * Called when time is about to move to `t`, before any event at `t` runs, while the state is
   * still what it was since the last event (the latency attribution of sim-core/why.ts reads it
   * there). It must only read the model, never change it or schedule events.
   */
  onAdvance: ((t: number) => void) | null = null;
  /** Live events run at time `now` so far (the stall check counts them). */
  private atInstant = 0;
  private seq = 0;
  private heap: Ev[] = [];
  /** Events at time `now`, in insertion order: a ring buffer (power-of-two capacity). */
  private fifo: (Ev | undefined)[] = new Array(256);
  private fHead = 0;
  private fTail = 0;
  private free: Ev[] = [];
  private readonly slots: Ev[] = [];

  /** @param maxEventsPerInstant events at one instant past which run() stops with `stalled` set. */
  constructor(private readonly maxEventsPerInstant = Number.POSITIVE_INFINITY) {
    // The field is a double now; +0 keeps it one and keeps -0 out of the times derived from it.
    this.now = 0;
  }

  private make(t: number, fn: () => void): Ev {
    const ev = this.free.pop();
    if (ev === undefined) {
      const slot = this.slots.length;
      if (slot >= SLOT_SPAN) throw new Error(`more than ${SLOT_SPAN} events pending at once`);
      // t as a double from the first record on (TIME_ZERO), whatever the first event's time.
      const fresh: Ev = { t: TIME_ZERO, seq: this.seq++, fn, dead: false, slot, gen: FIRST_GEN };
      fresh.t = t;
      this.slots.push(fresh);
      return fresh;
    }
    ev.t = t;
    ev.seq = this.seq++;
    ev.fn = fn;
    ev.dead = false;
    ev.gen++;
    return ev;
  }

  private handle(ev: Ev): EvHandle {
    return ev.gen * SLOT_SPAN + ev.slot;
  }

  private pushFifo(ev: Ev): void {
    const cap = this.fifo.length;
    if (this.fTail - this.fHead === cap) {
      const bigger: (Ev | undefined)[] = new Array(cap * 2);
      for (let i = this.fHead; i < this.fTail; i++) bigger[i - this.fHead] = this.fifo[i & (cap - 1)];
      this.fifo = bigger;
      this.fTail -= this.fHead;
      this.fHead = 0;
    }
    this.fifo[this.fTail++ & (this.fifo.length - 1)] = ev;
  }

  /** Schedules `fn` at time `t` (now, if `t` is not in the future). */
  at(t: number, fn: () => void): EvHandle {
    if (t <= this.now) {
      const ev = this.make(this.now, fn);
      this.pushFifo(ev);
      return this.handle(ev);
    }
    const ev = this.make(t, fn);
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p]!;
      if (pe.t < t || (pe.t === t && pe.seq < ev.seq)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = ev;
    return this.handle(ev);
  }

  after(dt: number, fn: () => void): EvHandle {
    return this.at(this.now + dt, fn);
  }

  /**
   * Cancels the event `h` names if it is still pending. Returns whether it did: false for
   * NO_EVENT, an event that already ran, or one cancelled before (its record may since carry
   * another event, which a stale handle must not touch).
   */
  cancel(h: EvHandle): boolean {
    if (h === NO_EVENT) return false;
    const ev = this.slots[h % SLOT_SPAN];
    if (ev === undefined || ev.gen !== Math.floor(h / SLOT_SPAN) || ev.dead) return false;
    ev.dead = true;
    return true;
  }

  /** Removes the heap's top; run() calls it only after reading that top, so the heap is not empty. */
  private popHeap(): Ev {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (h[r]!.t < h[l]!.t || (h[r]!.t === h[l]!.t && h[r]!.seq < h[l]!.seq))) c = r;
        const ce = h[c]!;
        if (last.t < ce.t || (last.t === ce.t && last.seq < ce.seq)) break;
        h[i] = ce;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Returns a record to the free list; its generation moves on when it is reused. */
  private recycle(ev: Ev): void {
    ev.dead = true;
    this.free.push(ev);
  }

  /**
   * Runs events up to `until` (inclusive) or until `budget` live events have run, whichever
   * comes first. Returns false if it stopped on the budget, or because time stood still
   * (`stalled`). Having run every event up to `until`, the clock moves on to `until` (the end of
   * a run) unless `pause` is set: a pause at a checkpoint leaves the clock and `onAdvance` as they
   * are, so the run continues exactly as if it had never stopped there.
   */
  run(until: number, budget: number, pause = false): boolean {
    let n = 0;
    const h = this.heap;
    for (;;) {
      // The next event in (time, insertion) order: the FIFO's head or the heap's top.
      let ev: Ev | undefined;
      let fromFifo = false;
      if (this.fHead < this.fTail) {
        const f = this.fifo[this.fHead & (this.fifo.length - 1)]!;
        const top = h.length > 0 ? h[0] : undefined;
        if (top && (top.t < f.t || (top.t === f.t && top.seq < f.seq))) ev = top;
        else {
          ev = f;
          fromFifo = true;
        }
      } else if (h.length > 0) ev = h[0];
      if (!ev || ev.t > until) break;
      if (!ev.dead && n >= budget) {
        this.events += n;
        return false;
      }
      if (!ev.dead && ev.t === this.now && this.atInstant >= this.maxEventsPerInstant) {
        this.stalled = true;
        this.events += n;
        return false;
      }
      if (fromFifo) this.fifo[this.fHead++ & (this.fifo.length - 1)] = undefined;
      else this.popHeap();
      if (ev.dead) {
        this.recycle(ev);
        continue;
      }
      if (ev.t === this.now) this.atInstant++;
      else {
        this.atInstant = 1;
        if (this.onAdvance !== null) this.onAdvance(ev.t);
      }
      this.now = ev.t;
      // Marked dead before it runs: a holder that cancels its own handle from inside the
      // callback (or after) is told nothing is pending.
      ev.dead = true;
      n++;
      ev.fn();
      this.recycle(ev);
    }
    this.events += n;
    if (!pause && this.now < until) {
      if (this.onAdvance !== null) this.onAdvance(until);
      this.now = until;
      this.atInstant = 0;
    }
    return true;
  }

  /** Queued events, live and cancelled (for tests of lazy deletion). */
  get pending(): number {
    return this.heap.length + this.fTail - this.fHead;
  }
}
