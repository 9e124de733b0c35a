/**
 * "A stale result never lands": requests are numbered as they start, and a result may land only
 * if no newer request's result has landed before it. Batches are queued, not killed, so an older
 * request can finish after a newer one (its last run was long, the newer one's were short); its
 * results are then dropped instead of replacing the newer ones on screen.
 */
export class LatestResults {
  private started = 0;
  private landed = 0;

  /** Numbers a new request. */
  begin(): number {
    return ++this.started;
  }

  /** True when request `seq`'s results may be shown (and records that they were). */
  land(seq: number): boolean {
    if (seq < this.landed) return false;
    this.landed = seq;
    return true;
  }
}
