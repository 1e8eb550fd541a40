import { describe, expect, it } from 'vitest';
import { SessionWriter } from '../../lib/emitters/session-writer.js';
import { newSessionPreparerRecorder, setupAndRecordEvent, withNoOpPreparer } from '../../lib/emitters/session-preparer-recorder.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { Preparer } from '../../lib/events/preparer.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';

describe('setupAndRecordEvent', () => {
  it('stamps through a SessionWriter and records', async () => {
    const uploader = new MemoryUploader();
    const writer = new SessionWriter({ sessionId: 'sid-1', streamer: new ProtoStreamer({ uploader }), clusterName: 'c1' });
    await setupAndRecordEvent(writer, { Metadata: { Type: 'session.start', Code: 'T2000I' } });
    await setupAndRecordEvent(writer, { Metadata: { Type: 'print' }, Data: Buffer.from('hi') });
    await writer.complete();
    const out = await new ProtoReader(await uploader.download('sid-1')).readAll();
    expect(out.map((e) => [e.Metadata.Index, e.Metadata.ClusterName])).toEqual([[0, 'c1'], [1, 'c1']]);
    expect(out[0].Session).toMatchObject({ SessionID: 'sid-1' });
  });

  it('pairs any preparer with any recorder, or records unchanged', async () => {
    const recorded: AuditEvent[] = [];
    const recorder = { recordPreparedEvent: async (e: AuditEvent) => { recorded.push(e); } };
    await setupAndRecordEvent(newSessionPreparerRecorder(new Preparer({ sessionId: 's', startIndex: 5 }), recorder),
      { Metadata: { Type: 'resize', Code: 'T2002I' }, TerminalSize: '80:25' });
    await setupAndRecordEvent(withNoOpPreparer(recorder), { Metadata: { Type: 'resize', Index: 42 } });
    expect(recorded.map((e) => [e.$type, e.Metadata.Index])).toEqual([['Resize', 5], ['Resize', 42]]);
  });
});
