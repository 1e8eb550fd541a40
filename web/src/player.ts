// The playback engine: an xterm.js terminal fed from a FrameStream on a clock in recording time.
// A seek resets the terminal and asks the server for the stream from that moment: it starts with
// the screen index's keyframe before the moment (when indexed), then the output up to the moment
// arrives merged and is drawn at once, so no seek replays the recording in real time.
import { Terminal } from '@xterm/xterm';
import type { SessionHead } from './api.js';
import { decodeBase64, type Frame, FrameStream } from './frame-stream.js';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];

export interface PlayerState {
  pos: number;
  duration: number;
  paused: boolean;
  speed: number;
  seeking: boolean;
  ended: boolean;
}

export class Player {
  readonly term: Terminal;
  pos = 0;
  speed = 1;
  paused = true;
  seeking = false;
  /** Longest pause played when skipIdle is on, in seconds (tsh play --skip-idle-time: 500 ms). */
  idleCap = 0.5;
  skipIdle = true;
  private stream: FrameStream | null = null;
  private generation = 0;
  private lastTick = 0;
  private timer: number | null = null;
  private textDirty = false;
  private lastTextUpdate = 0;
  /** Seconds; Infinity until the outline or the end of the stream tells. */
  duration: number;

  constructor(
    host: HTMLElement,
    private readonly sessionId: string,
    readonly head: SessionHead,
    private readonly textEl: HTMLElement,
    private readonly onChange: (state: PlayerState) => void,
  ) {
    this.duration = head.duration ?? Infinity;
    this.term = new Terminal({
      cols: head.cols, rows: head.rows,
      // No scrollback, as the screen model and its keyframes: a resize then shows the same screen
      // whether playback got there by playing or by seeking (xterm pulls scrollback into a taller screen).
      scrollback: 0, disableStdin: true, convertEol: false,
      cursorBlink: false, fontSize: 14, allowProposedApi: false,
    });
    this.term.open(host);
  }

  get state(): PlayerState {
    return {
      pos: this.pos, duration: this.duration, paused: this.paused, speed: this.speed, seeking: this.seeking,
      ended: this.pos >= this.duration && (this.stream?.ended ?? true) && (this.stream?.buffered ?? 0) === 0,
    };
  }

  /** Text of the screen (rows below the scrollback), trailing spaces trimmed: the test oracle's shape. */
  screenText(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buf.getLine(buf.baseY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  private updateText(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastTextUpdate < 250) {
      this.textDirty = true;
      return;
    }
    this.lastTextUpdate = now;
    this.textDirty = false;
    this.textEl.textContent = this.screenText();
  }

  /** Resolves when everything written so far is parsed. */
  private flushed(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /** Draws one frame; returns the number of output bytes handed to the terminal. */
  private apply(frame: Frame): number {
    // reset() and resize() act at once, write() when xterm.js gets to it: they go through write
    // callbacks, which run between the chunks queued before and after them, in recorded order.
    if (frame.k !== undefined) {
      const size = frame.r;
      this.term.write('', () => {
        this.term.reset();
        if (size) this.term.resize(size[0], size[1]);
      });
      const bytes = decodeBase64(frame.k);
      this.term.write(bytes);
      return bytes.length;
    }
    if (frame.o !== undefined) {
      const bytes = decodeBase64(frame.o);
      this.term.write(bytes);
      return bytes.length;
    }
    const size = frame.r;
    if (size) this.term.write('', () => this.term.resize(Math.max(2, Math.min(500, size[0])), Math.max(1, Math.min(300, size[1]))));
    return 0;
  }

  /** Shows the screen at `target` seconds; `opened` is a stream already asked for from that moment. */
  async seek(target: number, opened?: FrameStream): Promise<void> {
    const t = Math.max(0, Math.min(this.duration, target));
    if (opened && t !== target) opened.close();
    const generation = ++this.generation;
    this.stream?.close();
    this.seeking = true;
    this.emit();
    // What an earlier seek queued in xterm.js would otherwise be parsed after the reset.
    await this.flushed();
    if (generation !== this.generation) {
      opened?.close();
      return;
    }
    this.term.reset();
    this.term.resize(this.head.cols, this.head.rows);
    // The server starts the stream with the screen index's keyframe before t when it has one.
    this.stream = opened && t === target ? opened : new FrameStream(`/api/sessions/${encodeURIComponent(this.sessionId)}/stream?t=${t}`);
    const stream = this.stream;
    // xterm.js queues what it has not parsed yet: wait for it every MiB, so catching up on a large
    // recording never holds more than that in the page.
    let unparsed = 0;
    for (;;) {
      await stream.available();
      if (generation !== this.generation) return;
      let next = stream.peek();
      while (next && next.t <= t) {
        unparsed += this.apply(stream.shift()!);
        if (unparsed > 1 << 20) {
          await this.flushed();
          if (generation !== this.generation) return;
          unparsed = 0;
        }
        next = stream.peek();
      }
      if (next || stream.ended) break;
    }
    await this.flushed();
    if (generation !== this.generation) return;
    this.pos = t;
    this.seeking = false;
    this.lastTick = performance.now();
    this.updateText(true);
    this.emit();
  }

  play(): void {
    if (this.state.ended) {
      void this.seek(0).then(() => this.play());
      return;
    }
    this.paused = false;
    this.lastTick = performance.now();
    this.schedule();
    this.emit();
  }

  pause(): void {
    this.paused = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    void this.flushed().then(() => {
      this.updateText(true);
      this.emit();
    });
  }

  toggle(): void {
    if (this.paused) this.play();
    else this.pause();
  }

  setDuration(seconds: number): void {
    this.duration = seconds;
    this.emit();
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.emit();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.tick(), 16);
  }

  private tick(): void {
    this.timer = null;
    if (this.paused) return;
    const now = performance.now();
    const dt = ((now - this.lastTick) / 1000) * this.speed;
    this.lastTick = now;
    const stream = this.stream;
    if (!this.seeking && stream) {
      let next = stream.peek();
      if (this.skipIdle && next && next.t - this.pos > this.idleCap) this.pos = next.t - this.idleCap;
      // Waiting for data is not playing: the clock stops when the queue runs dry mid-stream.
      if (next || stream.ended) this.pos = Math.min(this.duration, this.pos + dt);
      while (next && next.t <= this.pos) {
        this.apply(stream.shift()!);
        next = stream.peek();
      }
      if (!next && stream.ended) {
        if (!Number.isFinite(this.duration)) this.duration = this.pos;
        this.pos = this.duration;
        this.paused = true;
        void this.flushed().then(() => {
          this.updateText(true);
          this.emit();
        });
        return;
      }
      void this.flushed().then(() => this.updateText());
    }
    if (this.textDirty) this.updateText();
    this.emit();
    this.schedule();
  }

  private emit(): void {
    this.onChange(this.state);
  }

  dispose(): void {
    this.generation++;
    this.stream?.close();
    if (this.timer !== null) clearTimeout(this.timer);
    this.term.dispose();
  }
}
