// The one option validator (lib/options.ts) and every public constructor that goes through it:
// a wrong type, a value out of range, a misspelt name and a missing required option are each a
// BAD_PARAMETER whose message names the constructor and the option.
import { describe, expect, it } from 'vitest';
import {
  AsyncEmitter, AsyncUploader, AuditLog, CallbackEmitter, CallbackStreamer, CheckingEmitter, DiscardEmitter, FileLog, FileUploader, MemoryUploader,
  Preparer, ProtoStreamer, S3Uploader, SearchEventsLimiter, SessionWriter, UploadCompleter,
} from '../../lib/index.js';
import { checkOptions, type OptionsSchema } from '../../lib/options.js';

interface Sample {
  name: string;
  count?: number;
  mode?: string;
  callback?: () => void;
}
const SCHEMA: OptionsSchema<Sample> = {
  name: { kind: 'string', nonEmpty: true, required: true },
  count: { kind: 'integer', min: 1, max: 10 },
  mode: { kind: 'string', oneOf: ['a', 'b'] },
  callback: { kind: 'function' },
};

const badParameter = (message: RegExp) => expect.objectContaining({ code: 'BAD_PARAMETER', message: expect.stringMatching(message) });

describe('checkOptions', () => {
  it('returns valid options; undefined values count as absent', () => {
    const options = { name: 'x', count: 10, mode: 'b', callback: undefined };
    expect(checkOptions<Sample>('Sample', options, SCHEMA)).toBe(options);
  });

  it('names the option, the rule and the bad value', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /^Sample: options must be an object, got null$/],
      [[], /^Sample: options must be an object, got an array$/],
      [{}, /^Sample: option name is required$/],
      [{ name: '' }, /^Sample: option name must be a non-empty string, got ""$/],
      [{ name: 'x', count: 0 }, /^Sample: option count must be an integer between 1 and 10, got 0$/],
      [{ name: 'x', count: 1.5 }, /option count must be an integer/],
      [{ name: 'x', count: Number.NaN }, /option count must be an integer .* got NaN$/],
      [{ name: 'x', count: '3' }, /option count must be an integer .* got "3"$/],
      [{ name: 'x', mode: 'c' }, /^Sample: option mode must be one of "a", "b", got "c"$/],
      [{ name: 'x', callback: 'no' }, /^Sample: option callback must be a function, got "no"$/],
      [{ name: 'x', cuont: 3 }, /^Sample: unknown option "cuont" \(known: name, count, mode, callback\)$/],
    ];
    for (const [options, message] of cases) expect(() => checkOptions<Sample>('Sample', options, SCHEMA)).toThrow(badParameter(message));
  });
});

describe('every public constructor checks its options', () => {
  const uploader = new MemoryUploader();
  const streamer = new ProtoStreamer({ uploader });
  const emitter = new DiscardEmitter();
  const searcher = new FileLog({ dir: '/nonexistent/auditcast-options-test' });
  const constructors: Array<[string, (options: unknown) => unknown, Record<string, unknown>, string]> = [
    ['SessionWriter', (o) => new SessionWriter(o as never), { sessionId: 's', streamer }, 'bufferSize'],
    ['AsyncEmitter', (o) => new AsyncEmitter(o as never), { inner: emitter }, 'bufferSize'],
    ['CheckingEmitter', (o) => new CheckingEmitter(o as never), { inner: emitter }, 'uid'],
    ['CallbackStreamer', (o) => new CallbackStreamer(o as never), { inner: streamer }, 'onRecordEvent'],
    ['Preparer', (o) => new Preparer(o as never), { sessionId: 's' }, 'startIndex'],
    ['ProtoStreamer', (o) => new ProtoStreamer(o as never), { uploader }, 'minUploadBytes'],
    ['MemoryUploader', (o) => new MemoryUploader(o as never), {}, 'now'],
    ['FileUploader', (o) => new FileUploader(o as never), { directory: '/nonexistent/x' }, 'lockAttempts'],
    ['S3Uploader', (o) => new S3Uploader(o as never), { bucket: 'b' }, 'requestTimeoutMs'],
    ['AsyncUploader', (o) => new AsyncUploader(o as never), { scanDir: '/nonexistent/a', corruptedDir: '/nonexistent/b', streamer }, 'concurrentUploads'],
    ['UploadCompleter', (o) => new UploadCompleter(o as never), { uploader }, 'checkPeriodMs'],
    ['FileLog', (o) => new FileLog(o as never), { dir: '/nonexistent/x' }, 'reorderWindow'],
    ['AuditLog', (o) => new AuditLog(o as never), { dataDir: '/nonexistent/x', serverId: 'a', uploader }, 'maxScanTokenSize'],
    ['SearchEventsLimiter', (o) => new SearchEventsLimiter(o as never), { searcher, refillTimeMs: 1, refillAmount: 1, burst: 1 }, 'clock'],
  ];
  for (const [name, make, valid, sampleOption] of constructors) {
    it(name, async () => {
      const made = make(valid) as { close?: () => unknown; complete?: () => unknown };
      expect(made).toBeTruthy();
      expect(() => make({ ...valid, [sampleOption]: 'wrong type' })).toThrow(badParameter(new RegExp(`^${name}: option ${sampleOption} must be .*, got "wrong type"$`)));
      expect(() => make({ ...valid, [`${sampleOption}X`]: 1 })).toThrow(badParameter(new RegExp(`^${name}: unknown option "${sampleOption}X"`)));
      expect(() => make(null)).toThrow(badParameter(new RegExp(`^${name}: options must be an object`)));
      const required = Object.keys(valid)[0];
      if (required) {
        const { [required]: _, ...without } = valid;
        expect(() => make(without)).toThrow(badParameter(new RegExp(`^${name}: option ${required} is required$`)));
      }
      if (name === 'SessionWriter') await (made as SessionWriter).complete();
      if (name === 'AuditLog') await (made as AuditLog).close();
    });
  }

  it('an interface option must have its methods', () => {
    expect(() => new AsyncEmitter({ inner: {} as never })).toThrow(badParameter(/^AsyncEmitter: option inner must have a emitAuditEvent\(\) method, got a object$/));
    expect(() => new CheckingEmitter({ inner: new CallbackEmitter(() => undefined), now: Date.now as never })).not.toThrow();
  });
});
