// Undoes what a replayed recording did to the user's terminal. A full-screen program quit mid-way
// (vim, less, top) leaves its modes on: the alternate screen, mouse tracking, application keypad
// and cursor keys, a hidden cursor, bracketed paste. `play` writes the program's output to the real
// terminal, so quitting playback must reset those itself, on every exit path.
import { writeSync } from 'node:fs';

/** DEC private modes that switch to the alternate screen; leaving one is done with its own number. */
const ALTERNATE_SCREEN_MODES = [1049, 1047, 47] as const;

/**
 * Resets that are harmless when the mode is already off, so they are always sent: mouse tracking
 * (1000/1002/1003) and its encodings (1006/1015), focus events (1004), bracketed paste (2004),
 * normal cursor keys (DECCKM) and keypad (DECKPNM), modifyOtherKeys off, ASCII charset, default
 * attributes, visible cursor.
 */
export const TERMINAL_RESET =
  '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?1004l\x1b[?2004l' +
  '\x1b[?1l\x1b>\x1b[>4;m\x1b(B\x1b[0m\x1b[?25h';

const ESC = 0x1b;
const MAX_SEQUENCE = 32;

/**
 * Follows which alternate-screen modes the output turned on. Leaving the alternate screen is the
 * one reset that is not harmless when it is off (1049l also restores a saved cursor position), so
 * it is sent only when the recording entered it. Sequences may be split across chunks.
 */
export class AlternateScreenTracker {
  private readonly active = new Set<number>();
  /** An unfinished `ESC [ ? ...` from the end of the previous chunk. */
  private partial = '';

  feed(chunk: Uint8Array): void {
    let start = 0;
    let text = this.partial;
    if (text === '') {
      start = chunk.indexOf(ESC);
      if (start < 0) return;
    }
    text += Buffer.from(chunk.buffer, chunk.byteOffset + start, chunk.byteLength - start).toString('latin1');
    const pattern = /\x1b\[\?([0-9;]*)([hl])/g;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      for (const mode of m[1]!.split(';').map(Number)) {
        if (!(ALTERNATE_SCREEN_MODES as readonly number[]).includes(mode)) continue;
        if (m[2] === 'h') this.active.add(mode);
        else this.active.delete(mode);
      }
    }
    // Keep a trailing sequence that may still complete in the next chunk.
    const last = text.lastIndexOf('\x1b');
    const tail = last < 0 ? '' : text.slice(last);
    this.partial = tail.length < MAX_SEQUENCE && /^\x1b(\[(\?[0-9;]*)?)?$/.test(tail) ? tail : '';
  }

  /** The sequence that leaves the alternate screen(s) the output entered ('' when none). */
  leaveSequence(): string {
    return ALTERNATE_SCREEN_MODES.filter((mode) => this.active.has(mode)).map((mode) => `\x1b[?${mode}l`).join('');
  }
}

/**
 * The user's terminal while a recording plays on it: puts stdin in raw mode for the keys, follows
 * the output, and `restore()`s both exactly once, also when the process exits some other way.
 */
export class PlaybackTerminal {
  private readonly tracker = new AlternateScreenTracker();
  private readonly wasRaw: boolean;
  private restored = false;
  private readonly onExit = () => this.restore();

  constructor(
    private readonly stdin: NodeJS.ReadStream,
    private readonly stdout: NodeJS.WriteStream & { fd: number },
    private readonly onKey: (data: Buffer) => void,
  ) {
    this.wasRaw = stdin.isTTY === true && stdin.isRaw;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      stdin.on('data', onKey);
      stdin.resume();
    }
    process.once('exit', this.onExit);
  }

  /** True when the output is a terminal (only then are resets written). */
  get isTerminal(): boolean {
    return this.stdout.isTTY === true;
  }

  /** Call with every chunk written to stdout. */
  wrote(chunk: Uint8Array): void {
    if (this.isTerminal) this.tracker.feed(chunk);
  }

  /** Resets the terminal modes and stdin; synchronous, so it also works on exit. */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    process.off('exit', this.onExit);
    if (this.isTerminal) {
      try {
        writeSync(this.stdout.fd, this.tracker.leaveSequence() + TERMINAL_RESET);
      } catch {
        // The terminal went away (hang-up, closed output): nothing left to restore on it.
      }
    }
    if (this.stdin.isTTY) {
      this.stdin.off('data', this.onKey);
      try {
        this.stdin.setRawMode(this.wasRaw);
      } catch {
        // Same: a closed terminal has no mode to restore.
      }
      this.stdin.pause();
    }
  }
}
