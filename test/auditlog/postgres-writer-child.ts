// A writer process for the load suite: emits COUNT user.login events (user writer-N, index i) to
// PostgreSQL through one PostgresLog, up to WINDOW emits in flight, then prints its stats as JSON.
// Exits 1 with the error when any emit fails.
import { PostgresLog } from '../../lib/auditlog/postgres-log.js';
import { Timestamp } from '../../lib/events/timestamp.js';

const [url, writer, countText, windowText = '512'] = process.argv.slice(2);
const count = Number(countText);
const window = Number(windowText);
const base = Date.UTC(2024, 0, 1);

const log = await PostgresLog.open({ url: url!, retryTimeoutMs: 60_000 });
try {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await log.emitAuditEvent({
        $type: 'UserLogin',
        Metadata: { Type: 'user.login', Code: 'T1000I', Index: i, Time: Timestamp.fromMillis(base + i) },
        User: { User: `writer-${writer}` },
        Status: { Success: true },
        Method: 'local',
      });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  process.stdout.write(`${JSON.stringify(log.stats)}\n`);
} catch (err) {
  process.stderr.write(`writer ${writer}: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await log.close();
}
