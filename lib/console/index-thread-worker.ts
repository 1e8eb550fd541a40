// The worker side of IndexThread: runs RecordingIndex builds off the server's event loop and
// posts each keyframe (its entry and the part of the screen the console keeps) as it is made.
import { parentPort, workerData } from 'node:worker_threads';
import { AuditcastError } from '../errors.js';
import { RecordingIndex } from '../index-store/recording-index.js';
import { S3RecordingSource } from '../uploads/s3-recording-source.js';
import type { IndexThreadData, ToMain, ToWorker } from './index-thread.js';

const data = workerData as IndexThreadData;
const port = parentPort!;
for (const url of data.s3Recordings ?? []) new S3RecordingSource(url);
const text = data.postgresUrl ? await (await import('../index-store/pg-text-index.js')).PgTextIndex.open({ url: data.postgresUrl }) : undefined;
const index = new RecordingIndex({ dir: data.dir, text });
const running = new Map<number, AbortController>();
const post = (message: ToMain) => port.postMessage(message);

function handle(message: ToWorker): void {
  if (message.kind === 'abort') {
    running.get(message.id)?.abort();
    return;
  }
  const { id, sessionId, path } = message;
  const abort = new AbortController();
  running.set(id, abort);
  index.indexRecording(sessionId, path, {
    signal: abort.signal,
    onKeyframe: (entry, snapshot) => post({ kind: 'keyframe', id, entry, screen: { cols: snapshot.cols, rows: snapshot.rows, data: snapshot.data, state: { clock: snapshot.state.clock } } }),
  }).then(
    (result) => post({ kind: 'done', id, durationMs: result.header.durationMs }),
    (err: Error) => post({ kind: 'failed', id, message: err.message, code: err instanceof AuditcastError ? err.code : undefined }),
  ).finally(() => running.delete(id));
}

port.on('message', handle);
