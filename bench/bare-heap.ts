/**
 * The yardstick of `pvsched-sim bench`: the cheapest discrete-event loop V8 runs, a binary heap
 * of (time, insertion) keys in typed arrays with nothing else. Each event pops the earliest key,
 * draws a delay from an xorshift generator, touches one word of per-kind state and schedules one
 * new event, so the queue stays at `pending` entries. The simulator's events/s divided by this
 * loop's, both measured in the same process one after the other, is a machine-independent speed
 * figure: on a loaded machine both slow down together.
 *
 * `pending` defaults to 13, the mean heap size measured on the seed report (issue 13).
 */

/** Mean pending events of the seed report's heap (issue 13's profile). */
export const BARE_PENDING = 13;

export interface BareLoopResult {
  events: number;
  /** A value derived from every event, returned so that V8 cannot drop the loop as dead code. */
  checksum: number;
}

/**
 * Runs `events` events of the bare loop. Time is a double from the start (as the simulator's
 * nanoseconds become past 2^31), the insertion counter breaks ties as the engine's does.
 */
export function runBareHeapLoop(events: number, pending = BARE_PENDING, seed = 1): BareLoopResult {
  const cap = pending + 1;
  const time = new Float64Array(cap);
  const seq = new Float64Array(cap);
  const kind = new Int32Array(cap);
  // heap[i] = slot of the i-th heap entry; slots are recycled as soon as their event pops.
  const heap = new Int32Array(cap);
  const state = new Float64Array(8);
  let n = 0;
  let nextSeq = 0;
  let x = seed | 0 || 1;
  const less = (a: number, b: number) => time[a]! < time[b]! || (time[a] === time[b] && seq[a]! < seq[b]!);
  const push = (slot: number, t: number, k: number) => {
    time[slot] = t;
    seq[slot] = nextSeq++;
    kind[slot] = k;
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(heap[p]!, slot)) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = slot;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(heap[r]!, heap[l]!) ? r : l;
      if (less(last, heap[c]!)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  };
  for (let s = 0; s < pending; s++) push(s, s, s & 7);
  let now = 0;
  let checksum = 0;
  for (let e = 0; e < events; e++) {
    const slot = pop();
    now = time[slot]!;
    const k = kind[slot]!;
    state[k] = state[k]! + 1;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    // A delay of 1..65536 ns, about the spread of the simulator's timer and irq events.
    const dt = ((x >>> 0) & 0xffff) + 1;
    checksum = (checksum + k) | 0;
    push(slot, now + dt, (k + (x & 1)) & 7);
  }
  return { events, checksum: checksum + now };
}
