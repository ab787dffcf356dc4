// One reconcile pass at a time across every instance: whoever holds the lease
// does the work; an overlapping pass (scale-out, a slow previous pass, an
// admin's POST /api/reconcile) returns at once and says so.

export interface HeldLease {
  /** Extends the lease; false if it was lost (then stop writing). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface PassLease {
  /** undefined when another pass holds it. */
  tryAcquire(): Promise<HeldLease | undefined>;
}
