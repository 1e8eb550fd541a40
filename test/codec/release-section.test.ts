import { describe, expect, it } from 'vitest';
import { frame, partOf } from '../helpers/recording.js';
import { codecUnderTest, sectionOf } from './codec-helpers.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { encodeEvent } from '../../lib/events/oneof.js';

describe('releaseSection', () => {
  it('frees an inflated part at once on native (its views become empty); JS leaves it to the collector', () => {
    const c = codecUnderTest();
    const events = generateTestSession({ printEvents: 50 });
    const section = sectionOf(partOf(events));
    const inflated = c.inflateSection(section, { maxInflatedBytes: 1 << 24 });
    expect(inflated.data.length).toBe(frame(events.map((e) => encodeEvent(e))).length);
    const view = inflated.data.subarray(10, 20);
    const released = c.releaseSection?.(inflated) ?? false;
    if (c.backend === 'native') {
      expect(released).toBe(true);
      expect(inflated.data.length).toBe(0);
      expect(view.length).toBe(0);
      expect(c.releaseSection!(inflated)).toBe(false);
    } else {
      expect(released).toBe(false);
      expect(view.length).toBe(10);
    }
  });
});
