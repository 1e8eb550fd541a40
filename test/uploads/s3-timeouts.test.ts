// Issue 11 item 15: an S3 endpoint that accepts connections and never answers must not hang a
// stream: the request times out (CONNECTION_PROBLEM) and the normal retry/backoff takes over.
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';

/** A TCP server on loopback that accepts every connection, reads everything and never answers. */
async function silentServer() {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get connections() { return connections; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function uploaderFor(endpoint: string, requestTimeoutMs: number) {
  return new S3Uploader({
    bucket: 'b', endpoint, forcePathStyle: true, region: 'us-east-1', requestTimeoutMs, connectTimeoutMs: 1000,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    clientConfig: { maxAttempts: 1 }, // the stream's retry is the one under test
  });
}

describe('S3Uploader against an endpoint that never answers', () => {
  it('a request fails with CONNECTION_PROBLEM after requestTimeoutMs, naming the call', async () => {
    const server = await silentServer();
    close = server.close;
    const uploader = uploaderFor(server.endpoint, 300);
    const started = Date.now();
    await expect(uploader.createUpload(randomUUID())).rejects.toMatchObject({ name: 'AuditcastError', code: 'CONNECTION_PROBLEM', message: expect.stringContaining('create upload') });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a stream retries with its backoff, then fails instead of hanging', async () => {
    const server = await silentServer();
    close = server.close;
    const uploader = uploaderFor(server.endpoint, 200);
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 1024, retry: { stepMs: 10, maxAttempts: 3 } });
    const events = generateTestSession({ printEvents: 50 });
    // createUpload itself times out: the stream never opens.
    await expect(streamer.createAuditStream((events[0]!.Session as { SessionID: string }).SessionID)).rejects.toMatchObject({ code: 'CONNECTION_PROBLEM' });
    // A stream on an upload created elsewhere: each part upload times out and is retried 3 times.
    const upload = { id: 'upload-1', sessionId: randomUUID(), initiated: new Date() };
    const stream = await streamer.createAuditStreamForUpload(upload.sessionId, upload);
    const before = server.connections;
    await expect((async () => {
      for (const event of events) await stream.recordEvent(event);
      await stream.complete();
    })()).rejects.toMatchObject({ code: 'CONNECTION_PROBLEM' });
    expect(stream.stats.uploadRetries).toBe(2);
    expect(server.connections - before).toBeGreaterThanOrEqual(1);
  });

  it('defaults are sane and bad values are refused', () => {
    expect(() => new S3Uploader({ bucket: 'b', requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => new S3Uploader({ bucket: 'b', connectTimeoutMs: -1 })).toThrow(/connectTimeoutMs/);
  });
});
