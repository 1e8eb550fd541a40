// Adapts the native addon (native/addon.cc) to the SliceCodec interface. Failures cross the boundary
// as plain numbers (status, offset, value) and become errors here, through the same functions the
// JS backend uses, so both backends throw the same code and the same message.
import zlib from 'node:zlib';
import { badParameter } from '../errors.js';
import type { DeflatedChunk, InflateLimits, InflatedSection, PartEncoder, PrintBatch, SliceCodec } from './codec.js';
import type { NativeAddon } from './native-loader.js';
import { checkInflateLimits, checkPadTo, sectionError } from './part-format.js';
import { checkEnds, checkPrintBatch, printBatchError, printStrings } from './print-batch.js';

/**
 * Chunks (and gzip sections) smaller than this are handled on the calling thread even by
 * addChunkAsync (inflateSectionAsync): below it the hop to a libuv worker costs more than the work
 * it moves off the main thread (measured by `npm run bench`, "async cut-off"; see bench/README.md).
 */
export const ASYNC_MIN_BYTES = 16 * 1024;

interface NativePartEncoderHandle {
  addChunk(framed: Uint8Array): number;
  addChunkAsync(framed: Uint8Array): Promise<number>;
  addDeflated(bytes: Uint8Array, crc: number, rawLength: number): number;
  finish(padTo: number): Uint8Array;
  readonly compressedBytes: number;
  readonly rawBytes: number;
  readonly pending: number;
}

interface NativeFailure {
  status: number;
  offset: number;
  value: number;
}

interface NativePrintFailure {
  status: number;
  event: number;
  field: number;
  value: number;
}

interface NativeSliceAddon {
  PartEncoder: new () => NativePartEncoderHandle;
  inflateSection(section: Uint8Array, maxInflatedBytes: number): InflatedSection | NativeFailure;
  inflateSectionAsync(section: Uint8Array, maxInflatedBytes: number): Promise<InflatedSection | NativeFailure>;
  framePrints(data: Uint8Array, numbers: Float64Array, strings: string[], ends?: Uint32Array): Uint8Array | NativePrintFailure;
  deflateChunkAsync(framed: Uint8Array): Promise<DeflatedChunk>;
  releaseInflated?(data: Uint8Array): boolean;
  scanPrints?(data: Uint8Array, bounds: Uint32Array, first: number, out: Float64Array): number;
  releasePartMemory?(): number;
  partMemory?(): [kept: number, live: number];
}

/**
 * The addon keeps the memory of inflated parts for the next ones (up to 64 MiB, native/core/
 * part_memory.h): a reader in a loop needs it, a process that read once and went on to other work
 * does not. It is freed once no part was inflated or released for this long (checked again while
 * parts are still live: their memory joins the kept one when the collector frees them).
 */
export const PART_MEMORY_IDLE_MS = 1000;

/** Returns touch(): call it on every inflate and release; an unref'd timer frees the kept memory when idle. */
function partMemoryReleaser(native: NativeSliceAddon): () => void {
  const { releasePartMemory, partMemory } = native;
  if (!releasePartMemory || !partMemory) return () => {};
  let timer: NodeJS.Timeout | null = null;
  const onIdle = () => {
    releasePartMemory();
    if (partMemory()[1] > 0) timer!.refresh();
    else timer = null;
  };
  return () => {
    if (timer) timer.refresh();
    else timer = setTimeout(onIdle, PART_MEMORY_IDLE_MS).unref();
  };
}

function isSliceAddon(addon: NativeAddon): addon is NativeAddon & NativeSliceAddon {
  return typeof addon.PartEncoder === 'function' && typeof addon.inflateSection === 'function'
    && typeof addon.inflateSectionAsync === 'function' && typeof addon.framePrints === 'function'
    && typeof addon.deflateChunkAsync === 'function';
}

class NativePartEncoder implements PartEncoder {
  constructor(private readonly handle: NativePartEncoderHandle) {}

  get compressedBytes(): number {
    return this.handle.compressedBytes;
  }

  get rawBytes(): number {
    return this.handle.rawBytes;
  }

  addChunk(framed: Uint8Array): number {
    return this.handle.addChunk(framed);
  }

  /** Calls may overlap: chunks keep call order. Do not change `framed` until the promise settles. */
  addChunkAsync(framed: Uint8Array): Promise<number> {
    try {
      if (framed.length < ASYNC_MIN_BYTES) return Promise.resolve(this.handle.addChunk(framed));
      return this.handle.addChunkAsync(framed);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  addDeflated(chunk: DeflatedChunk): number {
    return this.handle.addDeflated(chunk.bytes, chunk.crc, chunk.rawLength);
  }

  finish(padTo: number): Uint8Array {
    checkPadTo(padTo);
    return this.handle.finish(padTo);
  }
}

/**
 * Compresses a sample with the addon and with node:zlib: they must agree byte for byte, else the
 * addon bound to a zlib other than node's (a different Node build) and must not be used.
 */
function checkSameZlib(native: NativeSliceAddon): void {
  const words = ['drwxr-xr-x', 'root', '4096', 'Nov', 'lib', '\x1b[01;34m', '\x1b[0m', '\r\n', 'total', '-rw-r--r--'];
  let text = '';
  for (let i = 0; text.length < 20_000; i++) text += `${words[(i * 7 + (i >> 3)) % words.length]}${i % 13 === 0 ? '\r\n' : ' '}`;
  const sample = Buffer.from(text);
  const encoder = new native.PartEncoder();
  encoder.addChunk(sample);
  const part = encoder.finish(0);
  const expected = zlib.deflateRawSync(sample, { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const actual = part.subarray(34, 34 + expected.length);
  if (part.length !== 34 + expected.length + 10 || !Buffer.from(actual).equals(expected)) {
    throw badParameter('the addon\'s zlib writes different bytes than node:zlib');
  }
}

function sectionResult(result: InflatedSection | NativeFailure): InflatedSection {
  if ('status' in result) throw sectionError(result.status, result.offset, result.value);
  return result;
}

export function createNativeCodec(addon: NativeAddon): SliceCodec {
  if (!isSliceAddon(addon)) throw badParameter('the native addon does not export the slice codec');
  const native = addon;
  checkSameZlib(native);
  const scanPrints = native.scanPrints;
  const touchPartMemory = partMemoryReleaser(native);
  return {
    backend: 'native',
    ...(native.partMemory && { keptPartMemoryBytes: () => native.partMemory!()[0] }),
    ...(scanPrints && {
      scanPrints: (data: Uint8Array, bounds: Uint32Array, first: number, out: Float64Array): number => scanPrints(data, bounds, first, out),
    }),
    createPartEncoder: () => new NativePartEncoder(new native.PartEncoder()),
    inflateSection(section: Uint8Array, limits: InflateLimits): InflatedSection {
      checkInflateLimits(limits);
      touchPartMemory();
      return sectionResult(native.inflateSection(section, limits.maxInflatedBytes));
    },
    async inflateSectionAsync(section: Uint8Array, limits: InflateLimits): Promise<InflatedSection> {
      checkInflateLimits(limits);
      touchPartMemory();
      if (section.length < ASYNC_MIN_BYTES) return sectionResult(native.inflateSection(section, limits.maxInflatedBytes));
      return sectionResult(await native.inflateSectionAsync(section, limits.maxInflatedBytes));
    },
    releaseSection(section: InflatedSection): boolean {
      touchPartMemory();
      return native.releaseInflated?.(section.data) ?? false;
    },
    framePrints(batch: PrintBatch, ends?: Uint32Array): Uint8Array {
      checkPrintBatch(batch);
      checkEnds(batch, ends);
      const result = native.framePrints(batch.data, batch.numbers, printStrings(batch.strings), ends);
      if (result instanceof Uint8Array) return result;
      throw printBatchError(result.status, result.event, result.field, result.value, batch.data.length);
    },
    deflateChunkAsync(framed: Uint8Array): Promise<DeflatedChunk> {
      try {
        return native.deflateChunkAsync(framed);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}
