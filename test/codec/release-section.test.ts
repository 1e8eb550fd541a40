import { describe, expect, it } from 'vitest';
import { frame, partOf } from '../helpers/recording.js';
import { codecUnderTest, sectionOf } from './codec-helpers.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { PART_MEMORY_IDLE_MS } from '../../lib/codec/native-codec.js';

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

describe('kept part memory', () => {
  it('is freed once no part was inflated for PART_MEMORY_IDLE_MS (native); JS keeps none', async () => {
    const c = codecUnderTest();
    const section = sectionOf(partOf(generateTestSession({ printEvents: 2000 })));
    const inflated = c.inflateSection(section, { maxInflatedBytes: 1 << 24 });
    const released = c.releaseSection?.(inflated) ?? false;
    if (c.backend !== 'native') {
      expect(released).toBe(false);
      expect(c.keptPartMemoryBytes).toBeUndefined();
      return;
    }
    expect(released).toBe(true);
    const releasedAt = Date.now();
    expect(c.keptPartMemoryBytes!()).toBeGreaterThan(0);
    // Kept while parts keep coming: the next inflate reuses it.
    const again = c.inflateSection(section, { maxInflatedBytes: 1 << 24 });
    c.releaseSection!(again);
    expect(c.keptPartMemoryBytes!()).toBeGreaterThan(0);
    while (c.keptPartMemoryBytes!() > 0 && Date.now() - releasedAt < PART_MEMORY_IDLE_MS + 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(c.keptPartMemoryBytes!()).toBe(0);
    expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(PART_MEMORY_IDLE_MS - 50);
  });
});
