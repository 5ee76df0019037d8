/**
 * Login throttling (issue 12 point 7): failed passwords are counted per account and per client
 * address over a window; past the limit the account (or the address) is locked for a while, whatever
 * address (or account) the next try comes from. Counted in this process's memory: the counters are
 * about the last minutes, and a restart forgetting them costs an attacker a restart, not a bypass.
 */
export interface ThrottleLimits {
  /** Failures of one account within `windowMs` that lock it. */
  accountFailures: number;
  /** Failures from one address (any accounts) within `windowMs` that lock the address. */
  addressFailures: number;
  windowMs: number;
  lockMs: number;
}

export const defaultThrottleLimits: ThrottleLimits = {
  accountFailures: 5,
  addressFailures: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

interface Counter {
  failures: number[];
  lockedUntil: number;
}

const MAX_KEYS = 100_000;

export class LoginThrottle {
  private readonly accounts = new Map<string, Counter>();
  private readonly addresses = new Map<string, Counter>();
  constructor(private readonly limits: ThrottleLimits = defaultThrottleLimits) {}

  /** Milliseconds until this account or address may try again (0: it may). */
  retryAfter(username: string, address: string, now: number): number {
    const a = this.accounts.get(username.toLowerCase());
    const b = this.addresses.get(address);
    return Math.max(0, (a?.lockedUntil ?? 0) - now, (b?.lockedUntil ?? 0) - now);
  }

  /** Records a failed password; says what this failure locked, if anything. */
  fail(username: string, address: string, now: number): { account: boolean; address: boolean } {
    return {
      account: this.count(this.accounts, username.toLowerCase(), this.limits.accountFailures, now),
      address: this.count(this.addresses, address, this.limits.addressFailures, now),
    };
  }

  /** A successful login clears its account's failures (not its address's). */
  succeed(username: string): void {
    this.accounts.delete(username.toLowerCase());
  }

  private count(map: Map<string, Counter>, key: string, limit: number, now: number): boolean {
    let c = map.get(key);
    if (!c) {
      if (map.size >= MAX_KEYS) map.delete(map.keys().next().value as string);
      c = { failures: [], lockedUntil: 0 };
      map.set(key, c);
    }
    c.failures = c.failures.filter((t) => t > now - this.limits.windowMs);
    c.failures.push(now);
    if (c.failures.length >= limit && c.lockedUntil <= now) {
      c.lockedUntil = now + this.limits.lockMs;
      c.failures = [];
      return true;
    }
    return false;
  }
}
