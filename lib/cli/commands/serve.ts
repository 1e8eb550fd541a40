// auditcast serve [--listen HOST:PORT] [--audit-url URL] [--recordings DIR|s3://...] [--token T]
// The web console: audit log, sessions, player and screen search, behind a token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_URL_HELP, AUDIT_URL_OPTION, openAuditLogForSearch } from '../audit-log.js';
import { expectPositionals, parseCommand, stringList, stringOption } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { CliError, UsageError } from '../errors.js';
import { DirRecordingStore, type RecordingStore, S3RecordingStore } from '../../console/recordings.js';
import { IndexScreenSource } from '../../console/index-screen-source.js';
import { IndexThread } from '../../console/index-thread.js';
import { LegacyConvertingStore } from '../../console/legacy-recordings.js';
import { openRecordingIndex, textIndexUrl } from '../recording-index.js';
import { isS3Url, openS3Recordings } from '../s3-recordings.js';
import { startConsoleServer } from '../../console/server.js';

const NAME = 'serve';

const OPTIONS = {
  listen: { type: 'string' },
  ...AUDIT_URL_OPTION,
  recordings: { type: 'string' },
  token: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  insecure: { type: 'boolean' },
  'allow-host': { type: 'string', multiple: true },
} as const;

export const serveCommand: Command = {
  name: NAME,
  summary: 'web console: audit log, sessions, player and screen search (token required)',
  help: helpText(
    'auditcast serve [--listen 127.0.0.1:7878] [--audit-url URL] [--recordings DIR|s3://BUCKET/PREFIX] [--token T]',
    [
      'Serves the web console. It prints a URL with a secret token: opening it once sets an HttpOnly',
      'cookie; every other request without that cookie (or "Authorization: Bearer TOKEN") is refused.',
      'It listens on loopback unless told otherwise, and then only with TLS or --insecure.',
      'The token comes from --token, else $AUDITCAST_CONSOLE_TOKEN, else is generated.',
    ].join('\n'),
    [
      ['--listen HOST:PORT', 'address to listen on (default 127.0.0.1:7878)'],
      AUDIT_URL_HELP,
      ['--recordings DIR', 'directory of <session-id>.tar recordings (default: <data>/records); indexed into <data>/index'],
      ['--recordings s3://B/P', 'Teleport recordings in S3 (?region=, ?endpoint=; AWS_* credentials), read with ranged GETs, indexed when opened'],
      ['--token T', 'access token (16+ URL-safe characters)'],
      ['--tls-cert FILE', 'PEM certificate: serve HTTPS'],
      ['--tls-key FILE', 'PEM private key of --tls-cert'],
      ['--insecure', 'allow plain HTTP on a non-loopback address'],
      ['--allow-host NAME', 'also accept this Host header (behind a reverse proxy); repeatable'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 0, 0, '');
    const data = resolveDataDir(values.dataDir);
    const recordingsDir = stringOption(values, 'recordings') ?? data.records;
    const certFile = stringOption(values, 'tls-cert');
    const keyFile = stringOption(values, 'tls-key');
    if (Boolean(certFile) !== Boolean(keyFile)) throw new UsageError('--tls-cert and --tls-key go together', NAME);
    let tls;
    try {
      tls = certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined;
    } catch (err) {
      throw new CliError(`cannot read the TLS files: ${(err as Error).message}`);
    }
    const skipped = (sid: string, err: Error) => process.stderr.write(`auditcast serve: recording ${sid}: ${err.message}\n`);
    const stored: RecordingStore = isS3Url(recordingsDir) ? new S3RecordingStore(openS3Recordings(recordingsDir)) : new DirRecordingStore(recordingsDir);
    // Pre-4.4 recordings play from a converted copy in <data>/cache/legacy.
    const recordings = new LegacyConvertingStore(stored, join(data.root, 'cache', 'legacy'), skipped);
    const index = await openRecordingIndex(data, values);
    // Builds run in a worker thread: the server keeps answering while a large recording is indexed.
    const builds = new IndexThread({ dir: index.dir, postgresUrl: textIndexUrl(data, values), s3Recordings: isS3Url(recordingsDir) ? [recordingsDir] : [] });
    const screen = new IndexScreenSource(index, builds);
    const log = await openAuditLogForSearch(data, values);
    const server = await startConsoleServer({
      listen: stringOption(values, 'listen'),
      token: stringOption(values, 'token') ?? process.env.AUDITCAST_CONSOLE_TOKEN,
      log,
      recordings,
      screen,
      tls,
      insecure: values.insecure === true,
      allowedHosts: stringList(values, 'allow-host'),
    });
    process.stdout.write(`auditcast console at ${server.url}\nopen: ${server.loginUrl}\n`);
    // Recordings without a fresh screen index get one in the background (seek, grep, previews).
    // Not those in S3: indexing reads a whole recording, so there each is indexed when opened
    // (or by `auditcast index --recordings s3://...`), and a bucket of thousands costs nothing at start.
    if (!isS3Url(recordingsDir)) {
      void recordings.list().then((all) => screen.warm(all)).catch((err: Error) => process.stderr.write(`auditcast serve: indexing: ${err.message}\n`));
    }
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await screen.close();
    await builds.close();
    await index.close();
    await log.close?.();
    return 0;
  },
};
