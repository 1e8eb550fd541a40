// Writes asciicast v2 (asciinema's format): a JSON header line, then [time, "o", text] for output
// and [time, "r", "COLSxROWS"] for resizes. Terminal bytes are decoded as a UTF-8 stream, so a
// character split across two print events (PTY reads cut anywhere) comes out whole.
import type { SessionInfo, TerminalFrame } from './terminal-reader.js';

export const DEFAULT_ASCIICAST_SIZE = { cols: 80, rows: 24 };

function time(t: number): number {
  return Number(t.toFixed(6));
}

export class AsciicastWriter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private lastT = 0;

  header(info: SessionInfo): string {
    const size = info.size ?? DEFAULT_ASCIICAST_SIZE;
    const header: Record<string, unknown> = { version: 2, width: size.cols, height: size.rows };
    if (info.start && info.start.seconds > 0) header.timestamp = info.start.seconds;
    if (info.title) header.title = info.title;
    if (info.command.length > 0) header.command = info.command.join(' ');
    return `${JSON.stringify(header)}\n`;
  }

  /** The line for one frame, or '' when the frame has nothing to write. */
  frame(frame: TerminalFrame): string {
    if (frame.kind === 'output') {
      const text = this.decoder.decode(frame.data, { stream: true });
      this.lastT = frame.t;
      return text === '' ? '' : `${JSON.stringify([time(frame.t), 'o', text])}\n`;
    }
    if (frame.kind === 'resize') {
      this.lastT = frame.t;
      return `${JSON.stringify([time(frame.t), 'r', `${frame.size.cols}x${frame.size.rows}`])}\n`;
    }
    return '';
  }

  /** Whatever partial character is left at the end. */
  end(): string {
    const rest = this.decoder.decode();
    return rest === '' ? '' : `${JSON.stringify([time(this.lastT), 'o', rest])}\n`;
  }
}
