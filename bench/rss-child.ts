// Child process of bench/run.ts, in two runs so the read is measured alone:
//   --write FILE  writes a >= 1 GiB recording (real corpus parts, repeated) to FILE
//   --read FILE   reads it with ProtoReader from a file stream and prints, as JSON,
//                 process.resourceUsage().maxRSS and what it read
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { codec } from '../lib/codec/index.js';
import { ProtoReader } from '../lib/stream/index.js';
import { writeCodec } from './drivers.js';
import { bulkFixture } from './fixtures.js';

const [mode, file, size] = process.argv.slice(2);
if (mode === '--write') {
  const target = Number(size ?? 1024 * 1024 * 1024);
  const { parts } = writeCodec(codec, bulkFixture(30e6));
  const out = createWriteStream(file);
  let written = 0;
  while (written < target) {
    for (const part of parts) {
      if (!out.write(part)) await new Promise<void>((r) => { out.once('drain', () => r()); });
      written += part.length;
    }
  }
  await new Promise<void>((r) => { out.end(() => r()); });
} else if (mode === '--read') {
  // The loader (tsx) and the modules alone: what the process holds before reading anything.
  const baselineMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const reader = new ProtoReader(createReadStream(file, { highWaterMark: 1 << 20 }), { codec });
  let events = 0;
  let bytes = 0;
  const t = Date.now();
  for await (const event of reader) {
    events++;
    bytes += (event.Data as Uint8Array).length;
  }
  console.log(JSON.stringify({
    backend: codec.backend,
    fileBytes: statSync(file).size,
    events,
    dataBytes: bytes,
    skippedDuplicateIndexes: reader.stats.skippedEvents,
    seconds: (Date.now() - t) / 1000,
    baselineMiB,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
} else {
  console.error('usage: rss-child.ts --write FILE [BYTES] | --read FILE');
  process.exit(2);
}
