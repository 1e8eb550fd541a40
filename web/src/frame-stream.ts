// A recording's frames read from the server's NDJSON stream, with a bounded queue: when the
// player is far enough ahead, reading stops, TCP pushes back, and the server stops reading the file.
export interface Frame {
  t: number;
  i: number;
  /** Output bytes, base64. */
  o?: string;
  /** Resize to [cols, rows]. */
  r?: [number, number];
  m?: 'join' | 'leave';
  u?: string;
  /** Keyframe: reset to r and draw these bytes (base64), the screen after event i. */
  k?: string;
}

const HIGH_WATER = 4000;

export class FrameStream {
  private readonly queue: Frame[] = [];
  private head = 0;
  private readonly abort = new AbortController();
  private wakeReader: (() => void) | null = null;
  private wakeConsumer: (() => void) | null = null;
  ended = false;
  error: Error | null = null;

  constructor(url: string) {
    void this.pump(url);
  }

  get buffered(): number {
    return this.queue.length - this.head;
  }

  peek(): Frame | undefined {
    return this.queue[this.head];
  }

  shift(): Frame | undefined {
    const f = this.queue[this.head];
    if (f === undefined) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.buffered < HIGH_WATER / 2) this.wakeReader?.();
    return f;
  }

  /** Resolves when a frame is queued or the stream ended. */
  available(): Promise<void> {
    if (this.buffered > 0 || this.ended) return Promise.resolve();
    return new Promise((resolve) => { this.wakeConsumer = resolve; });
  }

  close(): void {
    this.abort.abort();
    this.ended = true;
    this.wakeReader?.();
    this.wakeConsumer?.();
  }

  private async pump(url: string): Promise<void> {
    try {
      const res = await fetch(url, { signal: this.abort.signal, credentials: 'same-origin' });
      if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let pending = '';
      for (;;) {
        while (this.buffered >= HIGH_WATER && !this.abort.signal.aborted) {
          await new Promise<void>((resolve) => { this.wakeReader = resolve; });
          this.wakeReader = null;
        }
        const { value, done } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line) this.queue.push(JSON.parse(line) as Frame);
        }
        this.wakeConsumer?.();
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.error = err as Error;
    } finally {
      this.ended = true;
      this.wakeConsumer?.();
    }
  }
}

export function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
