// The one place that loads the native addon. It never throws: when the addon is missing or broken
// the reason is kept and the JS backend is used.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The raw exports of build/Release/auditcast.node (see native/addon.cc). */
export interface NativeAddon {
  readonly [name: string]: unknown;
}

export interface NativeLoadResult {
  addon: NativeAddon | null;
  reason: string | null;
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadNativeAddon(): NativeLoadResult {
  if (process.env.AUDITCAST_FORCE_JS === '1') return { addon: null, reason: 'AUDITCAST_FORCE_JS=1' };
  try {
    const require = createRequire(import.meta.url);
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    return { addon: load(packageRoot), reason: null };
  } catch (err) {
    return { addon: null, reason: `native addon not loaded: ${(err as Error).message.split('\n')[0]}` };
  }
}
