// SearchEventsLimiter: a token bucket in front of any searcher, shared by SearchEvents and
// SearchSessionEvents; a search with no token left fails with LIMIT_EXCEEDED.
import { checkOptions, type OptionsSchema } from '../options.js';
import { badParameter, limitExceeded } from '../errors.js';
import type { EventSearcher, SearchEventsRequest, SearchResult, SearchSessionEventsRequest } from './search-types.js';

export interface SearchEventsLimiterOptions {
  /** The searcher wrapped (FileLog, AuditLog, ...). */
  searcher: EventSearcher;
  /** Time between two refills, in ms. */
  refillTimeMs: number;
  /** Tokens added at each refill. */
  refillAmount: number;
  /** Bucket size; the bucket starts full. */
  burst: number;
  clock?: () => number;
}

const POSITIVE = { kind: 'number', min: Number.MIN_VALUE, max: Number.MAX_VALUE, required: true } as const;
const OPTIONS: OptionsSchema<SearchEventsLimiterOptions> = {
  searcher: { kind: 'object', methods: ['searchEvents', 'searchSessionEvents'], required: true },
  refillTimeMs: POSITIVE,
  refillAmount: POSITIVE,
  burst: POSITIVE,
  clock: { kind: 'function' },
};

export class SearchEventsLimiter implements EventSearcher {
  private readonly searcher: EventSearcher;
  private readonly refillTimeMs: number;
  private readonly refillAmount: number;
  private readonly burst: number;
  private readonly clock: () => number;
  private tokens: number;
  private lastRefill: number;

  constructor(options: SearchEventsLimiterOptions) {
    checkOptions<SearchEventsLimiterOptions>('SearchEventsLimiter', options, OPTIONS);
    if (options.refillAmount > options.burst) {
      throw badParameter(`refillAmount (${options.refillAmount}) cannot exceed burst (${options.burst})`);
    }
    this.searcher = options.searcher;
    this.refillTimeMs = options.refillTimeMs;
    this.refillAmount = options.refillAmount;
    this.burst = options.burst;
    this.clock = options.clock ?? Date.now;
    this.tokens = options.burst;
    this.lastRefill = this.clock();
  }

  private take(): void {
    const now = this.clock();
    const refills = Math.floor((now - this.lastRefill) / this.refillTimeMs);
    if (refills > 0) {
      this.tokens = Math.min(this.burst, this.tokens + refills * this.refillAmount);
      this.lastRefill += refills * this.refillTimeMs;
    }
    if (this.tokens < 1) throw limitExceeded('rate limit exceeded: too many search requests, try again later');
    this.tokens--;
  }

  searchEvents(request: SearchEventsRequest): Promise<SearchResult> {
    try {
      this.take();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.searcher.searchEvents(request);
  }

  searchSessionEvents(request: SearchSessionEventsRequest): Promise<SearchResult> {
    try {
      this.take();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.searcher.searchSessionEvents(request);
  }
}
