/**
 * The discrete-event engine: one clock in integer nanoseconds and a binary heap of events.
 * Like SimPy's core it only orders callbacks in time; everything else is in the models.
 * Ties are broken by insertion order, so a run is a pure function of its inputs.
 *
 * Events for "now" (a reschedule, an irq exit) are the most frequent kind; they go to a FIFO
 * beside the heap, which keeps the same (time, insertion) order at a fraction of the cost.
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
  /** Events at time `now`, in insertion order. */
  private fifo: Ev[] = [];
  private fifoHead = 0;

  at(t: number, fn: () => void): Ev {
    if (t <= this.now) {
      const ev: Ev = { t: this.now, seq: this.seq++, fn, dead: false };
      this.fifo.push(ev);
      return ev;
    }
    const ev: Ev = { t, seq: this.seq++, fn, dead: false };
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

  /** The next event in (time, insertion) order, or undefined; not removed. */
  private next(): Ev | undefined {
    const f = this.fifoHead < this.fifo.length ? this.fifo[this.fifoHead] : undefined;
    const h = this.heap.length > 0 ? this.heap[0] : undefined;
    if (!f) return h;
    if (!h) return f;
    return h.t < f.t || (h.t === f.t && h.seq < f.seq) ? h : f;
  }

  private take(ev: Ev): void {
    if (this.fifoHead < this.fifo.length && this.fifo[this.fifoHead] === ev) {
      this.fifoHead++;
      if (this.fifoHead === this.fifo.length) {
        this.fifo.length = 0;
        this.fifoHead = 0;
      }
    } else this.popHeap();
  }

  /**
   * Runs events up to `until` (inclusive) or until `budget` live events have run, whichever
   * comes first. Returns false if it stopped on the budget.
   */
  run(until: number, budget: number): boolean {
    let n = 0;
    for (;;) {
      const ev = this.next();
      if (!ev || ev.t > until) break;
      if (ev.dead) {
        this.take(ev);
        continue;
      }
      if (n >= budget) {
        this.events += n;
        return false;
      }
      this.take(ev);
      this.now = ev.t;
      ev.dead = true;
      n++;
      ev.fn();
    }
    this.events += n;
    if (this.now < until) this.now = until;
    return true;
  }

  /** Queued events, live and cancelled (for tests of lazy deletion). */
  get pending(): number {
    return this.heap.length + this.fifo.length - this.fifoHead;
  }
}
