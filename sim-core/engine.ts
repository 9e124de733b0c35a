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

/** Handles pack (generation, slot): slots below 2^21, generations below 2^32, within 2^53. */
const SLOT_BITS = 21;
const SLOT_SPAN = 2 ** SLOT_BITS;
/** The first generation of a record: 2^10, so that every handle is at least 2^31, a double. */
const FIRST_GEN = 2 ** 10;
/** Room for slots at first: a seed run keeps a few dozen events pending; audio rows a few hundred. */
const INITIAL_SLOTS = 256;

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
  private seq = TIME_ZERO;

  // Event records live in parallel typed arrays indexed by slot, and the heap, the FIFO and the
  // free list hold slots (issue 13): ordering an event reads two doubles from flat arrays where
  // a heap of objects chased a pointer per comparison, and no record is an object to allocate.
  /** Slots made so far; every array below has room for `cap` of them. */
  private nSlots = 0;
  private cap = INITIAL_SLOTS;
  /** When each slot's event runs (ns). */
  private evT = new Float64Array(INITIAL_SLOTS);
  /** Insertion order: breaks ties between events at one time. */
  private evSeq = new Float64Array(INITIAL_SLOTS);
  /** Bumped each time the slot is reused: part of every handle to it. */
  private evGen = new Float64Array(INITIAL_SLOTS);
  /** Cancelled events stay queued and are skipped when popped (lazy deletion); free slots are dead. */
  private evDead = new Uint8Array(INITIAL_SLOTS);
  private evFn: (() => void)[] = [];
  /** A binary heap of slots ordered by (time, insertion). */
  private heap = new Int32Array(INITIAL_SLOTS);
  private hLen = 0;
  /** Slots of events at time `now`, in insertion order: a ring buffer (power-of-two capacity). */
  private fifo = new Int32Array(INITIAL_SLOTS);
  private fHead = 0;
  private fTail = 0;
  /** Slots whose events ran or were dropped, reused last-in first-out. */
  private free = new Int32Array(INITIAL_SLOTS);
  private nFree = 0;

  /** @param maxEventsPerInstant events at one instant past which run() stops with `stalled` set. */
  constructor(private readonly maxEventsPerInstant = Number.POSITIVE_INFINITY) {
    // The fields are doubles now; +0 keeps them so and keeps -0 out of the values derived from them.
    this.now = 0;
    this.seq = 0;
  }

  /** Doubles the room for slots (every slot is in at most one of heap, FIFO and free list). */
  private grow(): void {
    const cap = this.cap * 2;
    if (cap > SLOT_SPAN) throw new Error(`more than ${SLOT_SPAN} events pending at once`);
    const more = <A extends Float64Array | Int32Array | Uint8Array>(a: A, b: A): A => {
      b.set(a);
      return b;
    };
    this.evT = more(this.evT, new Float64Array(cap));
    this.evSeq = more(this.evSeq, new Float64Array(cap));
    this.evGen = more(this.evGen, new Float64Array(cap));
    this.evDead = more(this.evDead, new Uint8Array(cap));
    this.heap = more(this.heap, new Int32Array(cap));
    this.free = more(this.free, new Int32Array(cap));
    // The ring keeps its order from the head on; the head moves to 0.
    const ring = new Int32Array(cap);
    const mask = this.cap - 1;
    for (let i = this.fHead; i < this.fTail; i++) ring[i - this.fHead] = this.fifo[i & mask]!;
    this.fifo = ring;
    this.fTail -= this.fHead;
    this.fHead = 0;
    this.cap = cap;
  }

  /** A slot for an event at `t`, its record filled in; returns the slot. */
  private make(t: number, fn: () => void): number {
    let slot: number;
    if (this.nFree > 0) {
      slot = this.free[--this.nFree]!;
      this.evGen[slot]!++;
      this.evFn[slot] = fn;
    } else {
      if (this.nSlots === this.cap) this.grow();
      slot = this.nSlots++;
      this.evGen[slot] = FIRST_GEN;
      this.evFn.push(fn);
    }
    this.evT[slot] = t;
    this.evSeq[slot] = this.seq++;
    this.evDead[slot] = 0;
    return slot;
  }

  private handle(slot: number): EvHandle {
    return this.evGen[slot]! * SLOT_SPAN + slot;
  }

  /** Schedules `fn` at time `t` (now, if `t` is not in the future). */
  at(t: number, fn: () => void): EvHandle {
    if (t <= this.now) {
      const slot = this.make(this.now, fn);
      // The ring has room: it holds at most the slots made, and `cap` is at least that.
      this.fifo[this.fTail++ & (this.cap - 1)] = slot;
      return this.handle(slot);
    }
    const slot = this.make(t, fn);
    const h = this.heap;
    const T = this.evT;
    const S = this.evSeq;
    const seq = S[slot]!;
    let i = this.hLen++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = h[p]!;
      const pt = T[ps]!;
      if (pt < t || (pt === t && S[ps]! < seq)) break;
      h[i] = ps;
      i = p;
    }
    h[i] = slot;
    return this.handle(slot);
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
    // NO_EVENT is -0, which === matches as 0 (written as 0 so the bundler does not warn).
    if (h === 0) return false;
    const slot = h % SLOT_SPAN;
    if (slot >= this.nSlots || this.evGen[slot] !== Math.floor(h / SLOT_SPAN) || this.evDead[slot] === 1) return false;
    this.evDead[slot] = 1;
    return true;
  }

  /** Removes the heap's top; run() calls it only after reading that top, so the heap is not empty. */
  private popHeap(): void {
    const h = this.heap;
    const T = this.evT;
    const S = this.evSeq;
    const n = --this.hLen;
    if (n === 0) return;
    const last = h[n]!;
    const lt = T[last]!;
    const ls = S[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let cs = h[l]!;
      if (r < n) {
        const rs = h[r]!;
        if (T[rs]! < T[cs]! || (T[rs] === T[cs] && S[rs]! < S[cs]!)) {
          c = r;
          cs = rs;
        }
      }
      const ct = T[cs]!;
      if (lt < ct || (lt === ct && ls < S[cs]!)) break;
      h[i] = cs;
      i = c;
    }
    h[i] = last;
  }

  /** Returns a slot to the free list; its generation moves on when it is reused. */
  private recycle(slot: number): void {
    this.evDead[slot] = 1;
    this.free[this.nFree++] = slot;
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
    for (;;) {
      // Re-read every time: an event may have grown the arrays.
      const T = this.evT;
      // The next event in (time, insertion) order: the FIFO's head or the heap's top.
      let slot = -1;
      let fromFifo = false;
      if (this.fHead < this.fTail) {
        const f = this.fifo[this.fHead & (this.cap - 1)]!;
        slot = f;
        fromFifo = true;
        if (this.hLen > 0) {
          const top = this.heap[0]!;
          if (T[top]! < T[f]! || (T[top] === T[f] && this.evSeq[top]! < this.evSeq[f]!)) {
            slot = top;
            fromFifo = false;
          }
        }
      } else if (this.hLen > 0) slot = this.heap[0]!;
      if (slot < 0) break;
      const t = T[slot]!;
      if (t > until) break;
      const dead = this.evDead[slot] === 1;
      if (!dead && n >= budget) {
        this.events += n;
        return false;
      }
      if (!dead && t === this.now && this.atInstant >= this.maxEventsPerInstant) {
        this.stalled = true;
        this.events += n;
        return false;
      }
      if (fromFifo) this.fHead++;
      else this.popHeap();
      if (dead) {
        this.recycle(slot);
        continue;
      }
      if (t === this.now) this.atInstant++;
      else {
        this.atInstant = 1;
        if (this.onAdvance !== null) this.onAdvance(t);
      }
      this.now = t;
      // Marked dead before it runs: a holder that cancels its own handle from inside the
      // callback (or after) is told nothing is pending.
      this.evDead[slot] = 1;
      n++;
      this.evFn[slot]!();
      this.recycle(slot);
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
    return this.hLen + this.fTail - this.fHead;
  }
}
