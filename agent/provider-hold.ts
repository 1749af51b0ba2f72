/**
 * A project-wide hold on new sessions while the provider refuses or cannot be reached, with
 * backoff. One instance per kind of trouble (rate limits; an unreachable or overloaded provider).
 * Pure over the times it is given.
 *
 * Invariants:
 * - the backoff grows once per hold, not once per refused session: sessions refused while a hold
 *   is on belong to the same limit or outage and only extend it to a later reset the provider
 *   gave;
 * - a reset time from the provider wins over the backoff; a hold always lasts at least 1 s;
 * - `since` is when the current streak of trouble began; it and the backoff reset only when a
 *   session gets through (`succeeded`).
 */
export interface HoldPolicy {
  /** The first hold when the provider gave no reset time. */
  firstMs: number;
  /** The longest hold the backoff reaches. */
  maxMs: number;
}

export type HoldCheck = 'free' | 'held' | 'released';

export class ProviderHold {
  /** When new sessions may start again; null when not held. */
  until: number | null = null;
  /** When the current streak of trouble began; null after a success. */
  since: number | null = null;
  private holds = 0;
  private readonly policy: HoldPolicy;

  constructor(policy: HoldPolicy) {
    this.policy = policy;
  }

  /** The backoff the next new hold will get. */
  nextBackoffMs(): number {
    return Math.min(this.policy.firstMs * 2 ** this.holds, this.policy.maxMs);
  }

  /**
   * A session was refused (or could not reach the provider) at `now`. Returns the hold's end when
   * this started or extended a hold, null when the hold on already covers it.
   */
  refuse(now: number, resetAt: number | null = null): number | null {
    this.since ??= now;
    if (this.until !== null) {
      if (resetAt === null || resetAt <= this.until) return null;
      this.until = resetAt;
      return resetAt;
    }
    const until = Math.max(resetAt ?? now + this.nextBackoffMs(), now + 1000);
    this.holds++;
    this.until = until;
    return until;
  }

  /** `held` until the hold ends, `released` once when it does, `free` otherwise. */
  check(now: number): HoldCheck {
    if (this.until === null) return 'free';
    if (now < this.until) return 'held';
    this.until = null;
    return 'released';
  }

  /** A session got through: the streak and its backoff end. */
  succeeded(): void {
    this.holds = 0;
    this.since = null;
  }
}

/**
 * The hold for rate and usage limits without a reset time: from `firstMs` (one minute unless the
 * run says otherwise) doubling per limit, never longer than an hour.
 */
export const rateLimitHold = (firstMs: number): ProviderHold =>
  new ProviderHold({ firstMs, maxMs: 60 * 60_000 });
