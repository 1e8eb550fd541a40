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

const YES = new Set(['1', 'true', 'yes', 'on']);
const NO = new Set(['', '0', 'false', 'no', 'off']);

/** AUDITCAST_FORCE_JS as a switch: 1/true/yes/on (any case) force the JS backend; anything else unknown is named. */
function forceJs(): boolean {
  const value = process.env.AUDITCAST_FORCE_JS;
  if (value === undefined) return false;
  const normalized = value.trim().toLowerCase();
  if (YES.has(normalized)) return true;
  if (!NO.has(normalized)) {
    process.emitWarning(`AUDITCAST_FORCE_JS=${JSON.stringify(value)} is not understood (use 1, true or yes to force the JS backend; 0, false or no not to): ignored`);
  }
  return false;
}

export function loadNativeAddon(): NativeLoadResult {
  if (forceJs()) return { addon: null, reason: `AUDITCAST_FORCE_JS=${process.env.AUDITCAST_FORCE_JS}` };
  try {
    const require = createRequire(import.meta.url);
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    return { addon: load(packageRoot), reason: null };
  } catch (err) {
    return { addon: null, reason: `native addon not loaded: ${(err as Error).message.split('\n')[0]}` };
  }
}
