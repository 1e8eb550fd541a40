// Finds the event indexes a recording is missing. A session's events are numbered 0, 1, 2... by its
// preparer; ProtoReader drops duplicates, so every index from 0 to the last one should be there. A
// part that never landed shows up as a run of missing indexes. Out-of-order events fill the gaps
// they fall into. Memory is bounded: at most `maxGaps` ranges are tracked.
export interface IndexGap {
  /** First missing index. */
  from: number;
  /** Last missing index. */
  to: number;
}

export class IndexGaps {
  private next = 0;
  private readonly ranges: IndexGap[] = [];
  /** Gaps beyond maxGaps are counted here, not tracked. */
  private overflowMissing = 0;

  constructor(private readonly maxGaps = 100) {}

  add(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0) return;
    if (index >= this.next) {
      if (index > this.next) {
        if (this.ranges.length < this.maxGaps) this.ranges.push({ from: this.next, to: index - 1 });
        else this.overflowMissing += index - this.next;
      }
      this.next = index + 1;
      return;
    }
    // Late: fills (part of) a gap.
    const at = this.ranges.findIndex((r) => r.from <= index && index <= r.to);
    if (at < 0) return;
    const r = this.ranges[at]!;
    const pieces: IndexGap[] = [];
    if (r.from < index) pieces.push({ from: r.from, to: index - 1 });
    if (index < r.to) pieces.push({ from: index + 1, to: r.to });
    this.ranges.splice(at, 1, ...pieces);
  }

  /** The missing ranges, ascending. */
  get gaps(): readonly IndexGap[] {
    return this.ranges;
  }

  get missing(): number {
    return this.ranges.reduce((n, r) => n + r.to - r.from + 1, 0) + this.overflowMissing;
  }

  describe(limit = 5): string {
    const shown = this.ranges.slice(0, limit).map((r) => (r.from === r.to ? `${r.from}` : `${r.from}..${r.to}`));
    const more = this.ranges.length > limit ? `, and ${this.ranges.length - limit} more ranges` : '';
    return `${this.missing} events missing (indexes ${shown.join(', ')}${more})`;
  }
}
