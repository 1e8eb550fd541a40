// The time field of logged events: the hand-written fast path agrees with Timestamp.parse.
import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../../lib/auditlog/event-time.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { seededRandom } from '../helpers/seeded-random.js';

describe('parseEventTime', () => {
  it('the fast path agrees with Timestamp.parse', () => {
    const { seed, random } = seededRandom('event-time');
    const samples = ['2024-01-15T00:00:00Z', '2019-10-04T21:38:35.351Z', '1970-01-01T00:00:00.000000001Z', '0001-01-01T00:00:00Z', '2099-12-31T23:59:59.999999999Z', '2024-01-15T10:00:00+02:00', '2024-01-15 10:00:00Z'];
    for (let i = 0; i < 500; i++) samples.push(Timestamp.fromMillis(Math.floor(random() * 4e12)).toISOString());
    for (const s of samples) expect(parseEventTime(s), `${s} (seed ${seed})`).toEqual(Timestamp.parse(s));
    expect(parseEventTime('garbage')).toEqual(Timestamp.ZERO);
    expect(parseEventTime(42)).toEqual(Timestamp.ZERO);
  });
});
