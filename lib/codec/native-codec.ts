// Adapts the native addon's exports to the SliceCodec interface.
import { badParameter } from '../errors.js';
import type { SliceCodec } from './codec.js';
import type { NativeAddon } from './native-loader.js';

export function createNativeCodec(addon: NativeAddon): SliceCodec {
  if (typeof addon.createPartEncoder !== 'function' || typeof addon.inflateSection !== 'function') {
    throw badParameter('the native addon does not export the slice codec');
  }
  throw badParameter('the native slice codec is not built in this version');
}
