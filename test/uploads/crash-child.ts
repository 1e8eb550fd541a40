// Child process for crash.test.ts (run with `node --import tsx`).
//   record  <dir> <sid> <serverId> <prints>          record a session into a FileUploader dir, printing
//                                                     "ack <lastEventIndex>" after every uploaded part;
//                                                     the parent SIGKILLs it mid-stream
//   complete <dir>                                    what a restarted node does: UploadCompleter pass
//   resume  <dir> <sid> <serverId> <prints> <lastAck> resume the open upload and send the rest
//   async   <scanDir> <corruptedDir> <upstreamDir>   one AsyncUploader scan to a FileUploader upstream;
//                                                     the parent SIGKILLs the first one mid-upload
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { AsyncUploader } from '../../lib/uploads/async-uploader.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { UploadCompleter } from '../../lib/uploads/upload-completer.js';
import { generateTestSession } from '../helpers/generate-session.js';

const [mode, dir, sid, serverId, prints, lastAck] = process.argv.slice(2);
const uploader = new FileUploader({ directory: dir! });
const streamer = new ProtoStreamer({ uploader, minUploadBytes: 1024, concurrentUploads: 1, retry: { stepMs: 1 } });
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (mode === 'record') {
    const events = generateTestSession({ printEvents: Number(prints), sessionId: sid, serverId });
    const stream = await streamer.createAuditStream(sid!);
    say(`upload ${stream.uploadId}`);
    void (async () => {
      for await (const status of stream.status) if (status.lastEventIndex >= 0) say(`ack ${status.lastEventIndex}`);
    })();
    for (const event of events) {
      await stream.recordEvent(event);
      // Yield now and then so status lines get out while we record (the parent kills on them).
      if ((event.Metadata.Index & 63) === 0) await new Promise((r) => setImmediate(r));
    }
    say('recorded-all'); // should not be reached before the kill
    await new Promise(() => {}); // hang: only SIGKILL ends this process
  } else if (mode === 'complete') {
    const completer = new UploadCompleter({ uploader, gracePeriodMs: -1 });
    const result = await completer.checkUploads();
    say(`completed ${result.completed.length} errors ${result.errors.length}`);
  } else if (mode === 'resume') {
    const [upload] = await uploader.listUploads();
    if (!upload) throw new Error('no upload to resume');
    const events = generateTestSession({ printEvents: Number(prints), sessionId: sid, serverId });
    const stream = await streamer.resumeAuditStream(sid!, upload.id);
    for (const event of events) if (event.Metadata.Index > Number(lastAck)) await stream.recordEvent(event);
    await stream.complete();
    say('resumed');
  } else if (mode === 'async') {
    const [scanDir, corruptedDir, upstreamDir] = [dir!, sid!, serverId!];
    const upstream = new ProtoStreamer({
      uploader: new FileUploader({ directory: upstreamDir }), minUploadBytes: 1024, concurrentUploads: 1, retry: { stepMs: 1 },
    });
    let error: Error | undefined;
    const uploader = new AsyncUploader({ scanDir, corruptedDir, streamer: upstream, onUploadEvent: (e) => { error = e.error; } });
    const stats = await uploader.scan();
    say(`started ${stats.started}`);
    await uploader.drain();
    say(error ? `failed ${error.message}` : `uploaded resumed=${uploader.stats.streamsResumed} created=${uploader.stats.streamsCreated}`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
