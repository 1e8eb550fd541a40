// Picks the codec backend once per process: native when the addon loads and works, else JS.
import type { SliceCodec } from './codec.js';
import { jsCodec } from './js/js-codec.js';
import { loadNativeAddon } from './native-loader.js';
import { createNativeCodec } from './native-codec.js';

function pick(): { codec: SliceCodec; reason: string | null } {
  const { addon, reason } = loadNativeAddon();
  if (!addon) return { codec: jsCodec, reason };
  try {
    return { codec: createNativeCodec(addon), reason: null };
  } catch (err) {
    return { codec: jsCodec, reason: `native addon unusable: ${(err as Error).message}` };
  }
}

const picked = pick();

/** The codec every reader and writer uses. */
export const codec: SliceCodec = picked.codec;
/** 'native' or 'js'. */
export const backend: 'native' | 'js' = picked.codec.backend;
/** Why the native backend is not in use (null when it is). */
export const nativeUnavailableReason: string | null = picked.reason;

export { jsCodec };
export type { SliceCodec, PartEncoder, InflatedSection, InflateLimits } from './codec.js';
