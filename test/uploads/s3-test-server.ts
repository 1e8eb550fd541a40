// An S3-compatible server on 127.0.0.1 for the S3Uploader tests: s3rver (pure JS, in process, on a
// temp dir) plus a small middleware for the calls s3rver 3.7 lacks or gets wrong:
// - ListMultipartUploads, ListParts and AbortMultipartUpload are not implemented;
// - UploadPart to an unknown upload creates it; CompleteMultipartUpload of an unknown upload or with
//   a missing part is a 500 (real S3 and gofakes3, which Teleport's tests use: NoSuchUpload /
//   InvalidPart);
// - PutObject, UploadPart and Complete answer before the bytes are on disk (the write stream is not
//   awaited), so a GET right after can see half an object; ignores If-None-Match.
// The middleware serves those calls itself on s3rver's own store layout (writing through a temp file
// and a rename) and leaves GET/HEAD/buckets/auth to s3rver. Loopback only, no credentials.
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';

// The SDK warns once per process that its 2027 releases need Node 22; tests run on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
const S3Error = require('s3rver/lib/models/error') as new (code: string, message?: string, detail?: Record<string, unknown>) => Error;

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  req: AsyncIterable<Buffer>;
  status: number;
  body: unknown;
  type: string;
  set(name: string, value: string): void;
  get(name: string): string;
  response: { get(name: string): string };
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface S3rverInstance {
  middleware: Middleware[];
  store: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  };
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
}

export interface S3TestServer {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly directory: string;
  /** Counts of the multipart calls the middleware served, by name (tests assert on aborts). */
  readonly calls: Map<string, number>;
  /** Object GETs served (key and Range header), and the body bytes they sent: what readers cost. */
  readonly objectReads: { key: string; range: string; bytes: number }[];
  /** Body bytes of object GETs sent so far. */
  objectBytesServed(): number;
  /** Answer conditional PUTs with 501 NotImplemented, as stores without conditional writes do. */
  rejectConditionalPuts: boolean;
  close(): Promise<void>;
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function writeAtomically(file: string, body: Buffer): Promise<void> {
  const temp = path.join(path.dirname(file), `.tmp-${randomUUID()}`);
  await fs.writeFile(temp, body);
  await fs.rename(temp, file);
}

const xmlEscape = (value: string) => value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startS3TestServer(): Promise<S3TestServer> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-s3rver-'));
  const bucket = `auditcast-test-${randomUUID()}`;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const uploadsDir = (b: string) => server.store.getResourcePath(b, undefined, 'uploads');
  const uploadExists = async (b: string, uploadId: string) =>
    /^[0-9a-f]+$/.test(uploadId) && (await fs.stat(path.join(uploadsDir(b), uploadId, 'key')).then(() => true, () => false));

  const multipart: Middleware = async (ctx, next) => {
    const [, b, ...keyParts] = decodeURIComponent(ctx.path).split('/');
    const key = keyParts.join('/');
    const q = ctx.query;
    const uploadId = typeof q.uploadId === 'string' ? q.uploadId : undefined;
    if (!b) return next();

    if (ctx.method === 'GET' && !key && 'uploads' in q) {
      count('ListMultipartUploads');
      const prefix = typeof q.prefix === 'string' ? q.prefix : '';
      const entries = await fs.readdir(uploadsDir(b)).catch(() => [] as string[]);
      const uploads: string[] = [];
      for (const id of entries.sort()) {
        const dir = path.join(uploadsDir(b), id);
        const k = await fs.readFile(path.join(dir, 'key'), 'utf8').catch(() => undefined);
        if (k === undefined || !k.startsWith(prefix)) continue;
        const stat = await fs.stat(path.join(dir, 'metadata'));
        uploads.push(`<Upload><Key>${xmlEscape(k)}</Key><UploadId>${id}</UploadId><Initiated>${stat.mtime.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`);
      }
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${xmlEscape(b)}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`;
      return;
    }
    if (!key || uploadId === undefined) return next();

    const callName = ctx.method === 'GET' ? 'ListParts' : ctx.method === 'DELETE' ? 'AbortMultipartUpload'
      : ctx.method === 'PUT' ? 'UploadPart' : ctx.method === 'POST' ? 'CompleteMultipartUpload' : ctx.method;
    count(callName);
    if (!(await uploadExists(b, uploadId))) {
      count('NoSuchUpload');
      throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    }
    const dir = path.join(uploadsDir(b), uploadId);

    if (ctx.method === 'GET') {
      const names = (await fs.readdir(dir)).filter((n) => /^\d+$/.test(n)).sort((x, y) => Number(x) - Number(y));
      const parts: string[] = [];
      for (const n of names) {
        const stat = await fs.stat(path.join(dir, n));
        const md5 = await fs.readFile(path.join(dir, `${n}.md5`), 'utf8').catch(() => '');
        parts.push(`<Part><PartNumber>${n}</PartNumber><LastModified>${stat.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${stat.size}</Size></Part>`);
      }
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>${xmlEscape(b)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`;
      return;
    }
    if (ctx.method === 'DELETE') {
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === 'PUT' && typeof q.partNumber === 'string') {
      const body = await readAll(ctx.req);
      const md5 = createHash('md5').update(body).digest('hex');
      const n = String(Number(q.partNumber));
      await fs.writeFile(path.join(dir, `${n}.md5`), md5);
      await writeAtomically(path.join(dir, n), body);
      ctx.set('ETag', `"${md5}"`);
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    if (ctx.method === 'POST') {
      const xml = (await readAll(ctx.req)).toString('utf8');
      const numbers = [...xml.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
      if (numbers.length === 0) throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
      const bodies: Buffer[] = [];
      for (const n of [...numbers].sort((x, y) => x - y)) {
        const body = await fs.readFile(path.join(dir, String(n))).catch(() => undefined);
        if (!body) throw new S3Error('InvalidPart', 'One or more of the specified parts could not be found.', { PartNumber: n });
        bodies.push(body);
      }
      const object = Buffer.concat(bodies);
      // A multipart object's ETag ends in -<part count>, as on S3 (HEAD shows it too).
      const md5 = await putObject(b, key, object, {}, numbers.length);
      await fs.rm(dir, { recursive: true, force: true });
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><Bucket>${xmlEscape(b)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${md5}"</ETag></CompleteMultipartUploadResult>`;
      return;
    }
    return next();
  };

  const putObjectRoute: Middleware = async (ctx, next) => {
    const [, b, ...keyParts] = decodeURIComponent(ctx.path).split('/');
    const key = keyParts.join('/');
    if (ctx.method !== 'PUT' || !b || !key || Object.keys(ctx.query).length > 0 || ctx.get('x-amz-copy-source')) return next();
    count('PutObject');
    if (result.rejectConditionalPuts && ctx.get('if-none-match')) {
      throw new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented');
    }
    const objectPath = server.store.getResourcePath(b, key, 'object');
    if (ctx.get('if-none-match') === '*' && (await fs.stat(objectPath).then(() => true, () => false))) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    }
    const md5 = await putObject(b, key, await readAll(ctx.req), { 'content-type': ctx.get('content-type') || 'binary/octet-stream' });
    ctx.set('ETag', `"${md5}"`);
    ctx.status = 200;
    ctx.body = '';
  };

  async function putObject(b: string, key: string, body: Buffer, metadata: Record<string, string>, parts?: number): Promise<string> {
    const md5 = createHash('md5').update(body).digest('hex') + (parts === undefined ? '' : `-${parts}`);
    const objectPath = server.store.getResourcePath(b, key, 'object');
    await fs.mkdir(path.dirname(objectPath), { recursive: true });
    await server.store.putMetadata(b, key, metadata, md5);
    await writeAtomically(objectPath, body);
    return md5;
  }

  // Counts what object GETs send: the bytes that leave the server, as the body streams out.
  const objectReads: S3TestServer['objectReads'] = [];
  const countObjectReads: Middleware = async (ctx, next) => {
    await next();
    const [, b, ...keyParts] = decodeURIComponent(ctx.path).split('/');
    const key = keyParts.join('/');
    // The SDK tags its GetObject with ?x-id=GetObject; any other parameter is another call.
    if (ctx.method !== 'GET' || !b || !key || Object.keys(ctx.query).some((name) => name !== 'x-id')) return;
    const read = { key, range: ctx.get('range'), bytes: 0 };
    objectReads.push(read);
    const body = ctx.body;
    if (Buffer.isBuffer(body)) read.bytes = body.length;
    else if (body && typeof (body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
      const length = ctx.response.get('Content-Length');
      ctx.body = Readable.from((async function* () {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          read.bytes += chunk.length;
          yield chunk;
        }
      })());
      if (length) ctx.set('Content-Length', length); // the new body drops it; the client checks it
    }
  };

  server.middleware.unshift(countObjectReads, multipart, putObjectRoute);

  const address = await server.run();
  const result: S3TestServer = {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: 'us-west-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    directory,
    calls,
    objectReads,
    objectBytesServed: () => objectReads.reduce((sum, r) => sum + r.bytes, 0),
    rejectConditionalPuts: false,
    async close() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
  return result;
}
