import type { SliceCodec } from '../codec.js';
import { JsPartEncoder, deflateChunkAsync } from './js-part-encoder.js';
import { inflateSection } from './js-section-inflater.js';
import { framePrintsJs } from '../print-batch.js';

/** The reference backend: complete on its own, the one the native addon must agree with. */
export const jsCodec: SliceCodec = {
  backend: 'js',
  createPartEncoder: () => new JsPartEncoder(),
  inflateSection,
  // node:zlib has no bounded async inflate with the same error order, so the JS backend stays on
  // the calling thread and only honours the promise shape.
  inflateSectionAsync: async (section, limits) => inflateSection(section, limits),
  framePrints: framePrintsJs,
  deflateChunkAsync,
};
