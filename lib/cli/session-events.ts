// Builds the events of a terminal session recording from output chunks with explicit times:
// session.start (terminal size "W:H"), print events, resize, session.end, numbered and timed the
// way Teleport's session writer numbers and times them (Index 0, 1, 2, ...; print Offset,
// ChunkIndex and DelayMilliseconds = milliseconds since the first print). Used by import, whose
// times come from the input, and by record when the emitters' SessionWriter is not available.
import type { AuditEvent, AuditEventInput } from '../events/event.js';
import {
  ResizeEvent, SessionEndCode, SessionEndEvent, SessionPrintEvent, SessionStartCode, SessionStartEvent, TerminalResizeCode,
} from '../events/constants.generated.js';
import { Timestamp } from '../events/timestamp.js';
import { derivedUuid } from '../uploads/derived-id.js';
import type { TerminalSize } from './terminal-reader.js';

/**
 * Largest Data of one print event. A SessionPrint must stay within Teleport's 64 KiB per event
 * with its metadata; 32 KiB leaves ample room and matches typical PTY reads.
 */
export const MAX_PRINT_DATA = 32 * 1024;

export interface SessionIdentity {
  sessionId: string;
  start: Timestamp;
  /** Seeds the derived event ids (uid); same seed, same ids. */
  idSeed: string | Uint8Array;
  user?: string;
  login?: string;
  serverId?: string;
  serverHostname?: string;
  clusterName?: string;
}

export interface StartDetails {
  size: TerminalSize | null;
  title?: string;
  command?: string[];
}

const NS_PER_S = 1_000_000_000n;

export function timeAfter(start: Timestamp, elapsedNs: bigint): Timestamp {
  const total = BigInt(start.nanos) + elapsedNs;
  let seconds = BigInt(start.seconds) + total / NS_PER_S;
  let nanos = total % NS_PER_S;
  if (nanos < 0n) {
    nanos += NS_PER_S;
    seconds -= 1n;
  }
  return new Timestamp(Number(seconds), Number(nanos));
}

export class SessionEventBuilder {
  private index = 0;
  private chunkIndex = 0;
  private offset = 0;
  private lastElapsedNs = 0n;
  private firstPrintNs: bigint | null = null;
  private command: string[] = [];
  /** Bytes of output so far. */
  get bytes(): number {
    return this.offset;
  }
  get elapsedNs(): bigint {
    return this.lastElapsedNs;
  }

  constructor(private readonly id: SessionIdentity) {}

  private metadata(type: string, code: string, elapsedNs: bigint): AuditEvent['Metadata'] {
    const index = this.index++;
    const print = type === 'print';
    return {
      Index: index,
      Type: type,
      ID: print ? '' : derivedUuid(this.id.idSeed, 'event', String(index)),
      Code: code,
      Time: timeAfter(this.id.start, elapsedNs),
      ClusterName: this.id.clusterName ?? '',
    };
  }

  private common(): Record<string, unknown> {
    return {
      User: { User: this.id.user ?? '', Login: this.id.login ?? '' },
      Session: { SessionID: this.id.sessionId },
      Server: { ServerNamespace: 'default', ServerID: this.id.serverId ?? '', ServerHostname: this.id.serverHostname ?? '' },
    };
  }

  private clamp(elapsedNs: bigint): bigint {
    if (elapsedNs < this.lastElapsedNs) elapsedNs = this.lastElapsedNs;
    this.lastElapsedNs = elapsedNs;
    return elapsedNs;
  }

  start(details: StartDetails): AuditEventInput {
    this.command = details.command ?? [];
    const event: AuditEventInput = {
      $type: 'SessionStart',
      Metadata: this.metadata(SessionStartEvent, SessionStartCode, 0n),
      ...this.common(),
      TerminalSize: details.size ? `${details.size.cols}:${details.size.rows}` : '',
      InitialCommand: this.command,
    };
    if (details.title) event.Reason = details.title;
    return event;
  }

  /** Print events for one chunk of output (split when longer than MAX_PRINT_DATA). */
  output(data: Uint8Array, elapsedNs: bigint): AuditEventInput[] {
    const at = this.clamp(elapsedNs);
    const events: AuditEventInput[] = [];
    // Teleport's print timing: milliseconds since the first print (0 for the first one).
    this.firstPrintNs ??= at;
    const ms = Number((at - this.firstPrintNs) / 1_000_000n);
    for (let pos = 0; pos < data.length; pos += MAX_PRINT_DATA) {
      const piece = data.subarray(pos, Math.min(data.length, pos + MAX_PRINT_DATA));
      events.push({
        $type: 'SessionPrint',
        Metadata: this.metadata(SessionPrintEvent, '', at),
        ChunkIndex: this.chunkIndex++,
        Data: piece,
        Bytes: piece.length,
        DelayMilliseconds: ms,
        Offset: this.offset,
      });
      this.offset += piece.length;
    }
    return events;
  }

  resize(size: TerminalSize, elapsedNs: bigint): AuditEventInput {
    return {
      $type: 'Resize',
      Metadata: this.metadata(ResizeEvent, TerminalResizeCode, this.clamp(elapsedNs)),
      ...this.common(),
      TerminalSize: `${size.cols}:${size.rows}`,
    };
  }

  end(elapsedNs: bigint): AuditEventInput {
    const at = this.clamp(elapsedNs);
    return {
      $type: 'SessionEnd',
      Metadata: this.metadata(SessionEndEvent, SessionEndCode, at),
      ...this.common(),
      Interactive: true,
      Participants: this.id.user ? [this.id.user] : [],
      StartTime: this.id.start,
      EndTime: timeAfter(this.id.start, at),
      InitialCommand: this.command,
    };
  }
}
