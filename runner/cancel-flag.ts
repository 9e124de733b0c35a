/**
 * A cancel flag in shared memory: 16 bytes, an Int32 flag at 0 (the host stores 1) and a Float64
 * at 8 where the worker writes the wall-clock time at which it saw the flag and stopped computing.
 * Both sides use `wallNow()`, the same clock in every thread of a process.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function newCancelFlag(): SharedArrayBuffer | undefined {
  return typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(16) : undefined;
}

export function raise(buf: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(buf, 0, 1), 0, 1);
}

/** Lowers the flag and clears the stamp before the worker's next task (workers are reused). */
export function lower(buf: SharedArrayBuffer): void {
  new Float64Array(buf, 8, 1)[0] = 0;
  Atomics.store(new Int32Array(buf, 0, 1), 0, 0);
}

/** Worker side: a poll function for sim-core that stamps the stop time the first time it sees the flag. */
export function poller(buf: SharedArrayBuffer): () => boolean {
  const flag = new Int32Array(buf, 0, 1);
  const stamp = new Float64Array(buf, 8, 1);
  return () => {
    if (Atomics.load(flag, 0) === 0) return false;
    if (stamp[0] === 0) stamp[0] = wallNow();
    return true;
  };
}

/** Host side: when the worker stopped (wall-clock ms), or undefined if it has not seen the flag. */
export function stoppedAt(buf: SharedArrayBuffer): number | undefined {
  const t = new Float64Array(buf, 8, 1)[0] ?? 0;
  return t > 0 ? t : undefined;
}
