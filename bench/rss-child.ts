// Child process of bench/run.ts: --write FILE [BYTES] writes a >= 1 GiB recording (real corpus
// parts, repeated) to FILE; bench/rss-read.mjs then reads it in a process of its own.
import { createWriteStream } from 'node:fs';
import { codec } from '../lib/codec/index.js';
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
} else {
  console.error('usage: rss-child.ts --write FILE [BYTES]');
  process.exit(2);
}
