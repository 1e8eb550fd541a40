// Teleport's stream suite (conformance §1) on the FileUploader: filesessions TestStreams.
import { describe } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { defineStreamSuite } from '../stream/stream-suite.js';
import { tempDir as sharedTempDir } from '../helpers/temp-dir.js';

const tempDir = () => sharedTempDir('auditcast-file-stream-');

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
