import type { SliceCodec } from '../codec.js';
import { JsPartEncoder } from './js-part-encoder.js';
import { inflateSection } from './js-section-inflater.js';
import { framePrintsJs } from '../print-batch.js';

/** The reference backend: complete on its own, the one the native addon must agree with. */
export const jsCodec: SliceCodec = {
  backend: 'js',
  createPartEncoder: () => new JsPartEncoder(),
  inflateSection,
  framePrints: framePrintsJs,
};
