/**
 * The discrete-event engine: one clock in integer nanoseconds and a binary heap of events.
 * Like SimPy's core it only orders callbacks in time; everything else is in the models.
 * Ties are broken by insertion order, so a run is a pure function of its inputs.
 *
 * Events for "now" (a reschedule, an irq exit) are the most frequent kind; they go to a FIFO
 * beside the heap, which keeps the same (time, insertion) order at a fraction of the cost.
 * Event objects are recycled once run or dropped, so a long run makes little garbage; a holder
 * of an event must therefore forget it when it fires (every holder clears its field first thing
 * in its callback) and may only cancel an event it still holds.
 */
export interface Ev {
  t: number;
  seq: number;
  fn: () => void;
  /** Cancelled events stay queued and are skipped when popped (lazy deletion). */
  dead: boolean;
}

export class Engine {
  now = 0;
  events = 0;
  private seq = 0;
  private heap: Ev[] = [];
  /** Events at time `now`, in insertion order: a ring buffer (power-of-two capacity). */
  private fifo: (Ev | undefined)[] = new Array(256);
  private fHead = 0;
  private fTail = 0;
  private free: Ev[] = [];

  private make(t: number, fn: () => void): Ev {
    const ev = this.free.pop();
    if (ev === undefined) return { t, seq: this.seq++, fn, dead: false };
    ev.t = t;
    ev.seq = this.seq++;
    ev.fn = fn;
    ev.dead = false;
    return ev;
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

  at(t: number, fn: () => void): Ev {
    if (t <= this.now) {
      const ev = this.make(this.now, fn);
      this.pushFifo(ev);
      return ev;
    }
    const ev = this.make(t, fn);
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p];
      if (pe.t < t || (pe.t === t && pe.seq < ev.seq)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = ev;
    return ev;
  }

  after(dt: number, fn: () => void): Ev {
    return this.at(this.now + dt, fn);
  }

  private popHeap(): Ev {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (h[r].t < h[l].t || (h[r].t === h[l].t && h[r].seq < h[l].seq))) c = r;
        const ce = h[c];
        if (last.t < ce.t || (last.t === ce.t && last.seq < ce.seq)) break;
        h[i] = ce;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /**
   * Runs events up to `until` (inclusive) or until `budget` live events have run, whichever
   * comes first. Returns false if it stopped on the budget.
   */
  run(until: number, budget: number): boolean {
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
      if (fromFifo) this.fifo[this.fHead++ & (this.fifo.length - 1)] = undefined;
      else this.popHeap();
      if (ev.dead) {
        this.free.push(ev);
        continue;
      }
      this.now = ev.t;
      ev.dead = true;
      n++;
      ev.fn();
      this.free.push(ev);
    }
    this.events += n;
    if (this.now < until) this.now = until;
    return true;
  }

  /** Queued events, live and cancelled (for tests of lazy deletion). */
  get pending(): number {
    return this.heap.length + this.fTail - this.fHead;
  }
}
