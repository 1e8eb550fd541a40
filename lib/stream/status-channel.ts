// A small async queue of stream status updates. Like Teleport's buffered status channel, a slow
// reader cannot block the stream: when the buffer is full the oldest update is dropped.

export interface StreamStatus {
  readonly uploadId: string;
  /** Highest event index in the last uploaded part; -1 in the first update. */
  readonly lastEventIndex: number;
  readonly lastUploadTime: Date;
}

export class StatusChannel implements AsyncIterable<StreamStatus> {
  private readonly buffer: StreamStatus[] = [];
  private waiters: ((result: IteratorResult<StreamStatus>) => void)[] = [];
  private closed = false;
  /** The most recent update (also when it was dropped from the buffer). */
  last: StreamStatus | null = null;
  dropped = 0;

  constructor(private readonly capacity = 64) {}

  push(status: StreamStatus): void {
    if (this.closed) return;
    this.last = status;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter({ value: status, done: false });
      return;
    }
    if (this.buffer.length >= this.capacity) {
      this.buffer.shift();
      this.dropped++;
    }
    this.buffer.push(status);
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiters) waiter({ value: undefined, done: true });
    this.waiters = [];
  }

  /** The next update (null once the stream has ended and the buffer is drained). */
  next(): Promise<StreamStatus | null> {
    const buffered = this.buffer.shift();
    if (buffered) return Promise.resolve(buffered);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push((r) => resolve(r.done ? null : r.value)));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamStatus> {
    for (let status = await this.next(); status; status = await this.next()) yield status;
  }
}
