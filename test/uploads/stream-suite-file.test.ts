// Teleport's stream suite (conformance §1) on the FileUploader: filesessions TestStreams.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { defineStreamSuite } from '../stream/stream-suite.js';

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-file-stream-'));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
});

describe('stream suite on FileUploader', () => {
  defineStreamSuite(
    async () => new FileUploader({ directory: await tempDir() }),
    async () => {
      // A handler on the same kind of dir whose OnBeforeComplete fails the first call.
      let calls = 0;
      return new FileUploader({
        directory: await tempDir(),
        onBeforeComplete: () => {
          if (calls++ === 0) throw new AuditcastError('CONNECTION_PROBLEM', 'simulate failure 1');
        },
      });
    },
  );
});
