// Random values for any message of the schema, shaped as the writer accepts them (every kind the
// descriptor table knows, nested messages to a small depth). Seeded, so failures replay.
import { oneofByNumber, type AuditEventInput } from '../../lib/events/event.js';
import { type CompiledField, type MessageValue, getMessage } from '../../lib/events/message-codec.js';
import { Timestamp } from '../../lib/events/timestamp.js';

export type Random = () => number;

/** Every message the OneOf names (the event types a recording can hold). */
export function eventMessages(): string[] {
  return [...oneofByNumber.values()].flatMap((e) => (e.message ? [e.message] : []));
}

const int = (random: Random, max: number) => Math.floor(random() * max);

function randomString(random: Random): string {
  const alphabet = 'abcXYZ019 -_./é☃\u0000\n';
  let out = '';
  for (let i = int(random, 12); i > 0; i--) out += alphabet[int(random, alphabet.length)];
  return out;
}

function randomScalar(random: Random, field: CompiledField): unknown {
  switch (field.kind) {
    case 'string': return randomString(random);
    case 'bytes': case 'raw': return Uint8Array.from({ length: int(random, 9) }, () => int(random, 256));
    case 'bool': return random() < 0.5;
    case 'int32': return int(random, 2 ** 31) - (random() < 0.3 ? 2 ** 30 : 0);
    case 'int64': return int(random, 2 ** 52) - (random() < 0.3 ? 2 ** 51 : 0);
    case 'uint32': return int(random, 2 ** 32);
    case 'uint64': return int(random, 2 ** 53);
    case 'enum': return int(random, 3);
    case 'double': return random() < 0.5 ? int(random, 1000) : random() * 1e6;
    default: throw new Error(`no scalar for ${field.kind}`);
  }
}

function randomField(random: Random, field: CompiledField, depth: number): unknown {
  const one = (): unknown => {
    switch (field.kind) {
      case 'message': return randomMessage(random, field.ref!, depth + 1);
      case 'timestamp': return new Timestamp(int(random, 4e9), int(random, 1e9));
      case 'map': return Object.fromEntries(Array.from({ length: int(random, 3) }, (_, i) => [`k${i}${randomString(random)}`, randomString(random)]));
      case 'traits': return { logins: [randomString(random), randomString(random)], empty: [] };
      case 'struct': return { a: int(random, 100), b: randomString(random), c: [true, null, { d: 1.5 }] };
      case 'uint32value': return 1 + int(random, 2 ** 31);
      case 'uint64value': return 1 + int(random, 2 ** 52);
      default: return randomScalar(random, field);
    }
  };
  if (field.repeated) return Array.from({ length: int(random, 3) }, one);
  return one();
}

/** A random value of `message`: each field present with probability 1/2 (always at depth 0). */
export function randomMessage(random: Random, message: string, depth = 0): MessageValue {
  const out: MessageValue = {};
  if (depth > 3) return out;
  for (const field of getMessage(message).fields) {
    if (field.ref === 'Metadata') continue; // the caller sets the event's own metadata
    if (depth > 0 && random() < 0.5) continue;
    out[field.name] = randomField(random, field, depth);
  }
  return out;
}

/** A random event of `message` with the given index. */
export function randomEvent(random: Random, message: string, index: number): AuditEventInput {
  return {
    ...randomMessage(random, message),
    $type: message,
    Metadata: {
      Index: index, Type: randomString(random), ID: randomString(random), Code: randomString(random),
      Time: new Timestamp(1_700_000_000 + index, int(random, 1e9)), ClusterName: randomString(random),
    },
  } as AuditEventInput;
}
