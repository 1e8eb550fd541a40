// Compiled by typed-events.test.ts with tsc: every `@ts-expect-error` below must be an error (tsc
// reports an unused one), and every other line must compile. Field names a message does not have
// are caught at run time (BAD_PARAMETER naming the field), tested in typed-events.test.ts.
import {
  ProtoReader, SessionWriter, encodeEvent, decodeEvent, type AuditEvent, type AuditEventInput,
} from '../../lib/index.js';

declare const writer: SessionWriter;
declare const reader: ProtoReader;

export async function checks(): Promise<void> {
  // Typed inputs: `$type` picks the generated message type.
  await writer.recordEvent({ $type: 'SessionStart', Metadata: { Type: 'session.start' }, TerminalSize: '80:25' });
  await writer.recordEvent({ $type: 'UserLogin', User: { User: 'alice' }, Method: 'local', Status: { Success: true } });
  await writer.recordEvent({ $type: 'SessionPrint', Data: new Uint8Array([104, 105]), Metadata: { Time: new Date() } });
  // Without `$type`, the message comes from Metadata.Type at run time.
  await writer.recordEvent({ Metadata: { Type: 'session.end', Code: 'T2004I' } });

  // @ts-expect-error User is a UserMetadata message, not a string
  await writer.recordEvent({ $type: 'UserLogin', User: 'alice' });
  // @ts-expect-error Data is bytes
  encodeEvent({ $type: 'SessionPrint', Data: 'hi' });
  // @ts-expect-error TerminalSize is a string
  encodeEvent({ $type: 'SessionStart', TerminalSize: 80 });
  // @ts-expect-error Status.Success is a boolean
  encodeEvent({ $type: 'UserLogin', Status: { Success: 'yes' } });
  // @ts-expect-error ChunkIndex is a number
  encodeEvent({ $type: 'SessionPrint', ChunkIndex: '1' });
  // @ts-expect-error no such message
  encodeEvent({ $type: 'UserLoggedIn' });
  // @ts-expect-error Session is a SessionMetadata message whose SessionID is a string
  encodeEvent({ $type: 'SessionStart', Session: { SessionID: 42 } });
  // @ts-expect-error Metadata.Time takes a Date, an RFC 3339 string, milliseconds or a Timestamp
  encodeEvent({ $type: 'SessionStart', Metadata: { Time: true } });

  // Decoded events: narrowing on `$type` gives the message's fields with their types.
  for await (const event of reader) {
    if (event.$type === 'SessionPrint') {
      const data: Uint8Array = event.Data;
      const delay: number = event.DelayMilliseconds;
      void data;
      void delay;
      // @ts-expect-error Data is a Uint8Array, not a string
      const text: string = event.Data;
      void text;
    }
    if (event.$type === 'SessionStart') {
      const login: string = event.User.Login;
      void login;
      // @ts-expect-error TerminalSize is a string
      const size: number = event.TerminalSize;
      void size;
    }
  }
  const decoded: AuditEvent = decodeEvent(new Uint8Array(0));
  const roundTrip: AuditEventInput = decoded;
  void roundTrip;
}
