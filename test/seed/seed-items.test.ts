// The seed items that were absent or partial (issue 12, section 1), each under its camelCase name.
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  CallbackEmitter, DiscardAuditLog, DiscardStreamer, MemoryUploader, ProtoReader, ProtoStream, ProtoStreamer, SessionWriter,
  StreamerAndEmitter, eventMetadata, fipsProtoStateToAwsState, formatStreamUpload, newDiscardAuditLog, s3OptionsFromUrl,
  type AuditEventInput, type AuditLogSessionStreamer, type StreamEmitter, type StreamStatus,
  CallbackStream, CallbackStreamer, ReportingStream, ReportingStreamer, checkStreamUpload, parseFileTime, protoReaderStatsToFields,
  type MultipartHandler, type SessionReader, type UploadHandler, type UploadMetadataGetter,
} from '../../lib/index.js';
import { MinUploadPartSizeBytes } from '../../lib/constants.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('DiscardAuditLog', () => {
  it('accepts every event and finds nothing', async () => {
    const log: AuditLogSessionStreamer = newDiscardAuditLog();
    expect(log).toBeInstanceOf(DiscardAuditLog);
    await log.emitAuditEvent({ Metadata: { Type: 'user.login' } });
    expect(await log.searchEvents({ from: 0, to: Date.now() })).toEqual({ events: [], lastKey: '' });
    expect(await log.searchSessionEvents({ from: 0, to: Date.now(), sessionId: randomUUID() })).toEqual({ events: [], lastKey: '' });
    expect((await log.getSessionChunk(randomUUID(), 0, 100)).length).toBe(0);
    expect(await log.getSessionEvents(randomUUID(), -1)).toEqual([]);
    expect(await collect(log.streamSessionEvents(randomUUID(), 0))).toEqual([]);
    await log.close?.();
  });
});

describe('StreamerAndEmitter', () => {
  it('emits through the emitter and streams through the streamer', async () => {
    const emitted: AuditEventInput[] = [];
    const both: StreamEmitter = new StreamerAndEmitter(new DiscardStreamer(), new CallbackEmitter((e) => { emitted.push(e); }));
    await both.emitAuditEvent({ Metadata: { Type: 'user.login' } });
    expect(emitted).toHaveLength(1);
    const stream = await both.createAuditStream('s1');
    expect(stream.sessionId).toBe('s1');
    await stream.complete();
  });
});

describe('ServerMetadataGetter / ServerMetadataSetter / SessionMetadataSetter', () => {
  it('read and set the embedded messages of an event, whatever they are called', () => {
    const event: AuditEventInput = {
      $type: 'SessionStart', Metadata: { ClusterName: 'one' }, Server: { ServerID: 'a', ServerNamespace: 'default', ForwardedBy: 'p' },
    };
    const md = eventMetadata(event);
    expect([md.getServerID(), md.getServerNamespace(), md.getForwardedBy(), md.getClusterName(), md.getSessionID()])
      .toEqual(['a', 'default', 'p', 'one', '']);
    md.setServerID('b');
    md.setServerNamespace('ns');
    md.setSessionID('sid');
    md.setClusterName('two');
    expect(event).toMatchObject({ Server: { ServerID: 'b', ServerNamespace: 'ns', ForwardedBy: 'p' }, Session: { SessionID: 'sid' }, Metadata: { ClusterName: 'two' } });
    const login = eventMetadata({ $type: 'UserLogin' });
    login.setServerID('x'); // UserLogin has no ServerMetadata: nothing to set
    expect(login.getServerID()).toBe('');
  });
});

describe('ProtoStreamConfig defaults', () => {
  it('ProtoStream.open needs only the uploader and the upload', async () => {
    const uploader = new MemoryUploader();
    const sessionId = randomUUID();
    const upload = await uploader.createUpload(sessionId);
    const stream = await ProtoStream.open({ uploader, upload });
    await stream.recordEvent({ $type: 'SessionPrint', Metadata: { Index: 0, Type: 'print', Time: new Date() }, Data: Buffer.from('hi') });
    await stream.complete();
    const events = await collect(new ProtoReader(await uploader.download(sessionId)));
    expect(events.map((e) => e.$type)).toEqual(['SessionPrint']);
    expect(MinUploadPartSizeBytes).toBe(5 * 1024 * 1024);
  });

  it('a finished stream stops listening on a long-lived signal', async () => {
    const uploader = new MemoryUploader();
    const signal = new AbortController().signal;
    const streamer = new ProtoStreamer({ uploader });
    for (let i = 0; i < 5; i++) {
      const stream = await streamer.createAuditStream(randomUUID(), { signal });
      await stream.complete();
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('StreamUpload string form', () => {
  it('is Upload(session=..., id=..., initiated=...) with Go time', () => {
    const upload = { id: 'u1', sessionId: 's1', initiated: new Date('2024-01-15T10:00:00.120Z') };
    expect(formatStreamUpload(upload)).toBe('Upload(session=s1, id=u1, initiated=2024-01-15 10:00:00.12 +0000 UTC)');
    expect(formatStreamUpload({ ...upload, initiated: new Date('2024-01-15T10:00:00Z') })).toContain('initiated=2024-01-15 10:00:00 +0000 UTC)');
    // Initiated is "not always initialized": Go prints its zero time.
    expect(formatStreamUpload({ ...upload, initiated: new Date(Number.NaN) })).toBe('Upload(session=s1, id=u1, initiated=0001-01-01 00:00:00 +0000 UTC)');
  });

  it('CheckAndSetDefaults wants both ids', () => {
    const upload = { id: 'u1', sessionId: 's1', initiated: new Date() };
    expect(() => checkStreamUpload(upload)).not.toThrow();
    expect(() => checkStreamUpload({ ...upload, id: '' })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER', message: expect.stringContaining('id') }));
    expect(() => checkStreamUpload({ ...upload, sessionId: '' })).toThrow(/sessionId/);
  });
});

describe('ProtoReader.GetStats, ProtoReaderStats.ToFields, SessionReader', () => {
  it('reads one by one and reports the counters as a copy and as log fields', async () => {
    const uploader = new MemoryUploader();
    const sessionId = randomUUID();
    const stream = await new ProtoStreamer({ uploader }).createAuditStream(sessionId);
    for (let i = 0; i < 3; i++) await stream.recordEvent({ $type: 'SessionPrint', Metadata: { Index: i, Type: 'print', Time: new Date() }, Data: Buffer.from('x') });
    await stream.complete();
    const reader: SessionReader & ProtoReader = new ProtoReader(await uploader.download(sessionId));
    let n = 0;
    while ((await reader.read()) !== null) n++;
    expect(n).toBe(3);
    const stats = reader.getStats();
    expect(stats).toMatchObject({ totalEvents: 3, skippedEvents: 0, outOfOrderEvents: 0 });
    stats.totalEvents = 99;
    expect(reader.getStats().totalEvents).toBe(3);
    expect(protoReaderStatsToFields(reader.getStats())).toEqual({ 'skipped-events': 0, 'out-of-order-events': 0, 'total-events': 3 });
  });
});

describe('ParseFileTime, MultipartHandler, UploadHandler, UploadMetadataGetter, CallbackStream, ReportingStream', () => {
  it('are exported under their seed names', async () => {
    expect(parseFileTime('2024-01-15.10:20:30.log').toISOString()).toBe('2024-01-15T10:20:30.000Z');
    const uploader = new MemoryUploader();
    const handler: MultipartHandler = uploader;
    const whole: UploadHandler = uploader;
    const getter: UploadMetadataGetter = uploader;
    expect(getter.getUploadMetadata('s1').sessionId).toBe('s1');
    await whole.upload('s2', Buffer.from('abc'));
    expect((await handler.download('s2')).toString()).toBe('abc');
    const reports: string[] = [];
    const reporting = new ReportingStreamer(new CallbackStreamer({ inner: new DiscardStreamer() }), (e) => reports.push(e.sessionId));
    const stream = await reporting.createAuditStream('s3');
    expect(stream).toBeInstanceOf(ReportingStream);
    await stream.complete();
    expect(reports).toEqual(['s3']);
    expect(await new CallbackStreamer({ inner: new DiscardStreamer() }).createAuditStream('s4')).toBeInstanceOf(CallbackStream);
  });
});

describe('FIPSProtoStateToAWSState and UseFIPSQueryParam', () => {
  it('maps the three states', () => {
    expect([0, 1, 2].map((s) => fipsProtoStateToAwsState(s as 0 | 1 | 2))).toEqual(['unset', 'enabled', 'disabled']);
    expect(fipsProtoStateToAwsState('FIPS_ENABLED')).toBe('enabled');
    expect(() => fipsProtoStateToAwsState(7 as never)).toThrow(/unknown FIPS endpoint state 7/);
  });

  it('reads use_fips_endpoint and the rest of an s3 URL', () => {
    expect(s3OptionsFromUrl('s3://recordings/records/?region=us-west-2&use_fips_endpoint=true&sse_kms_key=k1&acl=private')).toEqual({
      bucket: 'recordings', prefix: 'records', region: 'us-west-2', useFipsEndpoint: true, sse: 'aws:kms', sseKmsKeyId: 'k1', acl: 'private',
    });
    expect(s3OptionsFromUrl('s3://b?use_fips_endpoint=false')).toEqual({ bucket: 'b', useFipsEndpoint: false });
    expect(s3OptionsFromUrl('s3://b')).toEqual({ bucket: 'b' });
    expect(() => s3OptionsFromUrl('s3://b?use_fips_endpoint=maybe')).toThrow(/use_fips_endpoint must be true or false/);
    expect(() => s3OptionsFromUrl('http://b')).toThrow(/s3:\/\//);
  });
});

describe('SessionWriter.status', () => {
  it('is a stream of updates that ends with the writer', async () => {
    const uploader = new MemoryUploader();
    const writer = new SessionWriter({ sessionId: randomUUID(), streamer: new ProtoStreamer({ uploader }) });
    const updates: Promise<StreamStatus[]> = collect(writer.status);
    await writer.recordEvent({ Metadata: { Type: 'session.start', Code: 'T2000I' } });
    await writer.complete();
    const seen = await updates;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].uploadId).toBe(writer.latestStatus!.uploadId);
    expect(seen.at(-1)).toEqual(writer.latestStatus);
  });
});
