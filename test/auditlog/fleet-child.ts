// One member of the fleet suite, run as its own process:
//   record URL S3JSON SERVER_ID DATA_DIR  records a session to S3 with its audit events in PostgreSQL
//                                          (AuditLog with PostgresLog as its external log) and prints
//                                          {sessionId, sha256 of the output, prints}
//   play URL S3JSON DATA_DIR              finds every session.end in PostgreSQL and plays each
//                                          recording from S3, printing the same summary per session
import { createHash, randomUUID } from 'node:crypto';
import { AuditLog } from '../../lib/auditlog/audit-log.js';
import { PostgresLog } from '../../lib/auditlog/postgres-log.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { S3Uploader, type S3UploaderOptions } from '../../lib/uploads/s3-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const [mode, url, s3json, ...rest] = process.argv.slice(2);
const uploader = new S3Uploader(JSON.parse(s3json!) as S3UploaderOptions);

function summary(sessionId: string, events: readonly AuditEvent[]) {
  const hash = createHash('sha256');
  let prints = 0;
  for (const e of events) {
    if (e.Metadata.Type !== 'print') continue;
    hash.update(e.Data as Uint8Array);
    prints++;
  }
  return { sessionId, sha256: hash.digest('hex'), prints };
}

async function record(serverId: string, dataDir: string): Promise<void> {
  const log = new AuditLog({ dataDir, serverId, uploader, externalLog: await PostgresLog.open({ url: url! }) });
  try {
    const sessionId = randomUUID();
    const events = generateTestSession({ printEvents: 40 + Math.floor(Math.random() * 40), sessionId, serverId, clockMs: Date.now() - 3_700_000 });
    const stream = await new ProtoStreamer({ uploader }).createAuditStream(sessionId);
    for (const event of events) {
      await stream.recordEvent(event);
      if (event.Metadata.Type !== 'print') await log.emitAuditEvent(event);
    }
    await stream.complete();
    process.stdout.write(`${JSON.stringify(summary(sessionId, events))}\n`);
  } finally {
    await log.close();
  }
}

async function play(dataDir: string): Promise<void> {
  const log = new AuditLog({ dataDir, serverId: 'player', uploader, externalLog: await PostgresLog.open({ url: url! }) });
  try {
    const ends = await log.searchSessionEvents({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) });
    for (const end of ends.events) {
      const sessionId = (end.Session as { SessionID: string }).SessionID;
      const played: AuditEvent[] = [];
      for await (const event of log.streamSessionEvents(sessionId)) played.push(event);
      const server = (played[0]?.Server as { ServerID?: string } | undefined)?.ServerID;
      process.stdout.write(`${JSON.stringify({ ...summary(sessionId, played), server })}\n`);
    }
  } finally {
    await log.close();
  }
}

if (mode === 'record') await record(rest[0]!, rest[1]!);
else if (mode === 'play') await play(rest[0]!);
else throw new Error(`unknown mode ${mode}`);
