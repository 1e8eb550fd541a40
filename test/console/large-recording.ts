// A large recording made of the real build session repeated (the corpus README's way to scale),
// a second of idle time and a resize between repetitions, written part by part to a file.
import { fromEventFields } from '../../lib/events/event-fields.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { loadScriptSession } from '../helpers/corpus.js';

export interface LargeRecording {
  path: string;
  bytes: number;
  outputBytes: number;
  durationMs: number;
}

/** `minUploadBytes`: where parts are cut (default the streamer's 5 MiB of gzip, ~25 MiB of this output). */
export async function writeLargeRecording(dir: string, sessionId: string, targetOutputBytes: number, startMs = Date.UTC(2026, 0, 3), minUploadBytes?: number): Promise<LargeRecording> {
  const { chunks } = loadScriptSession('build');
  const uploader = new FileUploader({ directory: dir });
  const stream = await new ProtoStreamer({ uploader, inactivityFlushMs: 0, minUploadBytes }).createAuditStream(sessionId);
  let index = 0;
  let elapsed = 0;
  let offset = 0;
  const common = { sid: sessionId, user: 'carol', server_hostname: 'build-host', namespace: 'default', login: 'root' };
  const at = (ms: number) => new Date(startMs + ms).toISOString();
  await stream.recordEvent(fromEventFields({ event: 'session.start', code: 'T2000I', ei: index++, time: at(0), uid: `${sessionId}-start`, ...common, size: '80:24' }));
  for (let rep = 0; offset < targetOutputBytes; rep++) {
    if (rep > 0) {
      elapsed += 1000;
      const size = rep % 2 === 0 ? '80:24' : '120:40';
      await stream.recordEvent(fromEventFields({ event: 'resize', code: 'T2002I', ei: index++, time: at(elapsed), uid: `${sessionId}-r${rep}`, ...common, size }));
    }
    for (const chunk of chunks) {
      elapsed += chunk.delayMs;
      const print: AuditEvent = {
        $type: 'SessionPrint',
        Metadata: { Index: index++, Type: 'print', ID: '', Code: '', Time: Timestamp.fromMillis(startMs + elapsed), ClusterName: '' },
        ChunkIndex: index, Data: chunk.data, Bytes: chunk.data.length, DelayMilliseconds: elapsed, Offset: offset,
      };
      offset += chunk.data.length;
      await stream.recordEvent(print);
    }
  }
  await stream.recordEvent(fromEventFields({
    event: 'session.end', code: 'T2004I', ei: index++, time: at(elapsed), uid: `${sessionId}-end`, ...common,
    session_start: at(0), session_stop: at(elapsed),
  }));
  await stream.complete();
  if (stream.error) throw stream.error;
  const path = uploader.recordingPath(sessionId);
  const { size } = await import('node:fs').then((fs) => fs.statSync(path));
  return { path, bytes: size, outputBytes: offset, durationMs: elapsed };
}
