// The backend under test is the native addon unless AUDITCAST_FORCE_JS=1: a missing or broken
// addon fails here (it is not skipped).
import { describe, expect, it } from 'vitest';
import { backend, codecUnderTest, forceJs, nativeUnavailableReason } from './codec-helpers.js';

describe('codec backend', () => {
  it(forceJs ? 'is js when AUDITCAST_FORCE_JS=1' : 'is the native addon', () => {
    codecUnderTest();
    expect(backend).toBe(forceJs ? 'js' : 'native');
    if (forceJs) expect(nativeUnavailableReason).toBe('AUDITCAST_FORCE_JS=1');
    else expect(nativeUnavailableReason).toBeNull();
  });

  it('exposes the print fast path on the backend under test', () => {
    expect(typeof codecUnderTest().framePrints).toBe('function');
  });
});
