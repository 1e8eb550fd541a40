import { describe, expect, it } from 'vitest';
import { SearchEventsLimiter } from '../../lib/auditlog/search-limiter.js';
import type { EventSearcher } from '../../lib/auditlog/search-types.js';
import { isAuditcastError } from '../../lib/errors.js';
import { FakeClock } from './helpers.js';

describe('SearchEventsLimiter', () => {
  it('shares one bucket between both searches and refills over time', async () => {
    const calls: string[] = [];
    const searcher: EventSearcher = {
      searchEvents: async () => { calls.push('events'); return { events: [], lastKey: '' }; },
      searchSessionEvents: async () => { calls.push('sessions'); return { events: [], lastKey: '' }; },
    };
    const clock = new FakeClock(0);
    const limiter = new SearchEventsLimiter({ searcher, refillTimeMs: 1000, refillAmount: 1, burst: 2, clock: clock.now });
    const req = { from: 0, to: 1 };
    await limiter.searchEvents(req);
    await limiter.searchSessionEvents(req);
    const err = await limiter.searchEvents(req).catch((e) => e);
    expect(isAuditcastError(err, 'LIMIT_EXCEEDED')).toBe(true);
    expect(await limiter.searchSessionEvents(req).catch((e) => e.code)).toBe('LIMIT_EXCEEDED');
    clock.advance(1000);
    await limiter.searchSessionEvents(req);
    expect(await limiter.searchEvents(req).catch((e) => e.code)).toBe('LIMIT_EXCEEDED');
    clock.advance(10_000);
    await limiter.searchEvents(req);
    await limiter.searchEvents(req);
    expect(await limiter.searchEvents(req).catch((e) => e.code)).toBe('LIMIT_EXCEEDED');
    expect(calls).toEqual(['events', 'sessions', 'sessions', 'events', 'events']);
  });

  it('validates its configuration', () => {
    const searcher: EventSearcher = { searchEvents: async () => ({ events: [], lastKey: '' }), searchSessionEvents: async () => ({ events: [], lastKey: '' }) };
    expect(() => new SearchEventsLimiter({ searcher, refillTimeMs: 0, refillAmount: 1, burst: 1 })).toThrow(/refillTimeMs/);
    expect(() => new SearchEventsLimiter({ searcher, refillTimeMs: 1, refillAmount: 2, burst: 1 })).toThrow(/burst/);
  });
});
