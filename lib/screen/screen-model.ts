// ScreenModel: a recording replayed through xterm.js's headless emulator (what Teleport's and most
// web players render with), following resizes. It gives the screen at any moment (`snapshot`), and
// hands out each line of text as it leaves the screen (scrolled off, erased, overwritten by another
// text, or still there at the end), with the time and event index of the last change that made it.
// Sizes are bounded (cols, rows, cells, line length) so a hostile recording cannot take the memory.
import xtermHeadless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import type { Terminal as TerminalType } from '@xterm/headless';
import type { SerializeAddon as SerializeAddonType } from '@xterm/addon-serialize';
import { badParameter } from '../errors.js';
import type { AuditEvent } from '../events/event.js';
import { type ClockState, SessionClock } from './session-clock.js';
import { attachInternals, copyContent, type CursorState, type InternalLine, lineText, type ScrollKind, sameContent, type XtermInternals } from './xterm-internals.js';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializeAddon;

export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;

export interface ScreenLimits {
  /** Widest terminal followed (default 1000); wider resizes are clamped. */
  maxCols?: number;
  /** Tallest terminal followed (default 500). */
  maxRows?: number;
  /** Most cells (cols x rows, default 200,000); a larger size is shrunk to fit. */
  maxCells?: number;
  /** Longest line handed out, wrapped rows joined (default 8192 characters); longer ones are cut. */
  maxLineLength?: number;
}

export interface ScreenModelOptions extends ScreenLimits {
  cols?: number;
  rows?: number;
  /** Gets each line as it leaves the screen, and the final screen's lines from `finish()`. */
  onLine?: (line: ScreenLine) => void;
}

export interface ScreenLine {
  text: string;
  /** Milliseconds since the session start of the last change that put this text there. */
  timeMs: number;
  /** Index of that event. */
  eventIndex: number;
}

interface RowRecord {
  text: string;
  timeMs: number;
  eventIndex: number;
}

/**
 * What the model knows of one screen row: its text and the last change that put it there. Rows are
 * kept and reused (no object per line), and carry the cells' content words as they were when
 * `text` was read: while the row still holds them, its text is known without reading it again.
 */
class Row implements RowRecord {
  content: Uint32Array | null = null;
  /** Whether `content` is what `text` was read from. */
  known = false;
  constructor(public text: string, public timeMs: number, public eventIndex: number) {}

  set(text: string, timeMs: number, eventIndex: number): void {
    this.text = text;
    this.timeMs = timeMs;
    this.eventIndex = eventIndex;
    this.known = false;
  }

  /** Remembers the content of `line`, the one `text` was read from. */
  saw(line: InternalLine | undefined): void {
    if (!line) return;
    this.content = copyContent(line, this.content);
    this.known = true;
  }

  /** Whether `line` certainly holds this row's text (same content words as when it was read). */
  holds(line: InternalLine | undefined): boolean {
    return this.known && line !== undefined && sameContent(line, this.content!);
  }
}

/** Everything a model needs to carry on from a moment exactly as if it had replayed up to there. */
export interface ScreenState {
  cursor: CursorState;
  clock: ClockState;
  rows: { normal: RowRecord[]; alt: RowRecord[] };
  /** A line whose wrapped continuation may still scroll out after it. */
  pending: RowRecord | null;
  /** Resizes that asked for more than the limits allow (clamped). */
  clampedResizes: number;
  /** Whether session.start (or a resize) has sized the screen yet. */
  sized: boolean;
}

export interface ScreenSnapshot {
  cols: number;
  rows: number;
  cursorX: number;
  cursorY: number;
  altScreen: boolean;
  /** Milliseconds since the session start of the last event applied. */
  timeMs: number;
  /** Metadata.Index of the last event applied (-1 before any). */
  eventIndex: number;
  /** Escape sequences that draw this screen on a fresh terminal of cols x rows (xterm serialize addon). */
  data: string;
  /** The visible rows as text, trailing spaces trimmed. */
  text: string[];
  state: ScreenState;
}

/** "W:H" (Teleport) → size, or null. */
export function parseTerminalSize(text: unknown): { cols: number; rows: number } | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{1,9})[:x](\d{1,9})$/.exec(text.trim());
  if (!m) return null;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  return cols > 0 && rows > 0 ? { cols, rows } : null;
}

export class ScreenModel {
  private readonly terminal: TerminalType;
  private readonly serializer: SerializeAddonType;
  private readonly internals: XtermInternals;
  private readonly clock: SessionClock;
  private readonly maxCols: number;
  private readonly maxRows: number;
  private readonly maxCells: number;
  private readonly maxLineLength: number;
  private onLine?: (line: ScreenLine) => void;
  private records: { normal: Row[]; alt: Row[] };
  /** A line whose wrapped continuation may still scroll out after it (kept in fields: no object per line). */
  private hasPending = false;
  private pendingText = '';
  private pendingTimeMs = 0;
  private pendingEventIndex = -1;
  private timeMs = 0;
  private eventIndex = -1;
  private sawStart = false;
  /** Full-screen scrolls during the current write. */
  private scrolls = 0;
  /** Resizes clamped to the limits. */
  clampedResizes = 0;

  constructor(options: ScreenModelOptions = {}) {
    this.maxCols = options.maxCols ?? 1000;
    this.maxRows = options.maxRows ?? 500;
    this.maxCells = options.maxCells ?? 200_000;
    this.maxLineLength = options.maxLineLength ?? 8192;
    if (!(this.maxCols >= 2 && this.maxRows >= 1 && this.maxCells >= 2 && this.maxLineLength >= 1)) {
      throw badParameter('screen limits must be positive (maxCols >= 2)');
    }
    this.onLine = options.onLine;
    const size = this.clamp(options.cols ?? DEFAULT_COLS, options.rows ?? DEFAULT_ROWS);
    // No scrollback: the scroll hook reads each line just before it goes, and a full line list
    // recycles its rows where a growing scrollback would allocate one per line.
    this.terminal = new Terminal({ cols: size.cols, rows: size.rows, scrollback: 0, allowProposedApi: true, logLevel: 'off' });
    this.serializer = new SerializeAddon();
    this.terminal.loadAddon(this.serializer);
    this.internals = attachInternals(this.terminal, (kind) => this.scrolling(kind));
    this.clock = new SessionClock();
    this.records = { normal: blankRecords(size.rows), alt: blankRecords(size.rows) };
  }

  /** A model in the exact state of `snapshot` (a keyframe), ready to apply the events after it. */
  static fromSnapshot(snapshot: ScreenSnapshot, options: Omit<ScreenModelOptions, 'cols' | 'rows'> = {}): ScreenModel {
    // Lines the redraw itself might scroll are not the recording's: onLine is attached after it.
    const model = new ScreenModel({ ...options, onLine: undefined, cols: snapshot.cols, rows: snapshot.rows });
    if (model.cols !== snapshot.cols || model.rows !== snapshot.rows) throw badParameter(`snapshot size ${snapshot.cols}x${snapshot.rows} exceeds the screen limits`);
    model.internals.writeSync(snapshot.data);
    model.internals.restoreCursorState(snapshot.state.cursor);
    const state = snapshot.state;
    (model as unknown as { clock: SessionClock }).clock = new SessionClock(state.clock);
    model.records = { normal: state.rows.normal.map(toRow), alt: state.rows.alt.map(toRow) };
    if (state.pending) {
      model.hasPending = true;
      model.pendingText = state.pending.text;
      model.pendingTimeMs = state.pending.timeMs;
      model.pendingEventIndex = state.pending.eventIndex;
    }
    model.timeMs = snapshot.timeMs;
    model.eventIndex = snapshot.eventIndex;
    model.clampedResizes = state.clampedResizes;
    model.sawStart = state.sized;
    model.onLine = options.onLine;
    return model;
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  /** Time (ms since the session start) of the last event applied. */
  get time(): number {
    return this.timeMs;
  }

  /** Metadata.Index of the last event applied. */
  get lastEventIndex(): number {
    return this.eventIndex;
  }

  /** The time (ms since the session start) `apply(event)` would give the event, without applying it. */
  timeOf(event: AuditEvent): number {
    return this.clock.peek(event);
  }

  /** Epoch milliseconds of the session start, once known. */
  get sessionStartMs(): number | null {
    return this.clock.startMs;
  }

  /** Applies one event of the recording: prints draw, resizes and session.start size the screen. */
  apply(event: AuditEvent): void {
    const t = this.clock.timeOf(event);
    this.timeMs = t;
    this.eventIndex = event.Metadata.Index;
    const type = event.Metadata.Type;
    if (type === 'print') {
      const data = event.Data;
      if (data instanceof Uint8Array && data.length > 0) {
        const wasAlt = this.isAlt();
        this.internals.writeSync(data);
        this.shiftRecords();
        if (wasAlt !== this.isAlt()) this.switchedBuffer(wasAlt);
        this.compareRows();
      }
    } else if (type === 'resize' || type === 'session.start' && !this.sawStart) {
      this.sawStart = true;
      const size = parseTerminalSize(event.TerminalSize);
      // session.start sizes a screen nothing was drawn on yet; later ones are resizes.
      if (size) this.resize(size.cols, size.rows);
    }
  }

  /** Resizes the screen (clamped to the limits). */
  resize(cols: number, rows: number): void {
    const size = this.clamp(cols, rows);
    if (size.cols !== cols || size.rows !== rows) this.clampedResizes++;
    if (size.cols === this.terminal.cols && size.rows === this.terminal.rows) return;
    this.terminal.resize(size.cols, size.rows);
    this.shiftRecords();
    this.compareRows();
  }

  /** The screen now. */
  snapshot(): ScreenSnapshot {
    const buffer = this.terminal.buffer.active;
    return {
      cols: this.terminal.cols,
      rows: this.terminal.rows,
      cursorX: buffer.cursorX,
      cursorY: buffer.cursorY,
      altScreen: buffer.type === 'alternate',
      timeMs: this.timeMs,
      eventIndex: this.eventIndex,
      data: this.serializer.serialize({ scrollback: 0 }),
      text: this.rowTexts(),
      state: {
        cursor: this.internals.cursorState(),
        clock: this.clock.snapshot(),
        rows: { normal: this.records.normal.map(toRecord), alt: this.records.alt.map(toRecord) },
        pending: this.hasPending ? { text: this.pendingText, timeMs: this.pendingTimeMs, eventIndex: this.pendingEventIndex } : null,
        clampedResizes: this.clampedResizes,
        sized: this.sawStart,
      },
    };
  }

  /** The visible rows as text. */
  rowTexts(): string[] {
    const buffer = this.terminal.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.terminal.rows; y++) out.push(buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** Hands out the lines still on the screen (and a pending wrapped line), as the recording ends. */
  finish(): void {
    this.flushPending();
    const records = this.records[this.isAlt() ? 'alt' : 'normal'];
    const texts = this.rowTexts();
    const buffer = this.terminal.buffer.active;
    for (let y = 0; y < texts.length; y++) {
      const wrapped = buffer.getLine(buffer.baseY + y)?.isWrapped ?? false;
      const record = records[y]!;
      this.queueLine(texts[y]!, record.timeMs, record.eventIndex, wrapped);
    }
    this.flushPending();
  }

  dispose(): void {
    this.terminal.dispose();
  }

  private clamp(cols: number, rows: number): { cols: number; rows: number } {
    let c = Math.max(2, Math.min(this.maxCols, Math.floor(cols) || DEFAULT_COLS));
    const r = Math.max(1, Math.min(this.maxRows, Math.floor(rows) || DEFAULT_ROWS));
    if (c * r > this.maxCells) c = Math.max(2, Math.floor(this.maxCells / r));
    return { cols: c, rows: r };
  }

  private isAlt(): boolean {
    return this.internals.isAlt();
  }

  private activeRecords(): Row[] {
    return this.records[this.isAlt() ? 'alt' : 'normal'];
  }

  /** Called just before each scroll of the active buffer, with its top line still there. */
  private scrolling(kind: ScrollKind): void {
    const top = this.internals.regionTop();
    const line = this.internals.line(top);
    const wrapped = line?.isWrapped ?? false;
    if (kind === 'region') {
      const records = this.activeRecords();
      this.leaving(records[top], line, wrapped);
      const [row] = records.splice(top, 1);
      records.splice(this.internals.regionBottom(), 0, this.blank(row));
      return;
    }
    // The k-th scroll of a write drops what row k held before it (rows are shifted once, after).
    this.leaving(this.records.normal[this.scrolls++], line, wrapped);
  }

  /** Hands out `line` as it leaves: with the row's time if it still holds the row's text, else now. */
  private leaving(row: Row | undefined, line: InternalLine | undefined, wrapped: boolean): void {
    if (row && row.holds(line)) {
      this.queueLine(row.text, row.timeMs, row.eventIndex, wrapped);
      return;
    }
    const text = line ? lineText(line) : '';
    if (row && row.text === text) this.queueLine(text, row.timeMs, row.eventIndex, wrapped);
    else this.queueLine(text, this.timeMs, this.eventIndex, wrapped);
  }

  /** After a write: the rows' records follow the screen's full scrolls. */
  private shiftRecords(): void {
    const records = this.records.normal;
    const gone = Math.min(this.scrolls, records.length);
    this.scrolls = 0;
    if (gone === 0) return;
    for (const row of records.splice(0, gone)) records.push(this.blank(row));
  }

  /** `row` (or a new one) made a blank row of now. */
  private blank(row?: Row): Row {
    if (!row) return new Row('', this.timeMs, this.eventIndex);
    row.set('', this.timeMs, this.eventIndex);
    return row;
  }

  /** After an event: rows whose text changed get its time; texts replaced by others leave. */
  private compareRows(): void {
    const records = this.activeRecords();
    const rows = this.terminal.rows;
    for (let y = 0; y < rows; y++) {
      const line = this.internals.line(y);
      let row = records[y];
      if (row?.holds(line)) continue;
      const text = line ? lineText(line) : '';
      if (!row) {
        row = records[y] = new Row(text, this.timeMs, this.eventIndex);
      } else if (row.text !== text) {
        if (row.text !== '' && !isEdit(row.text, text)) this.queueLine(row.text, row.timeMs, row.eventIndex, false);
        row.set(text, this.timeMs, this.eventIndex);
      }
      row.saw(line);
    }
    for (let y = rows; y < records.length; y++) {
      const row = records[y]!;
      if (row.text !== '') this.queueLine(row.text, row.timeMs, row.eventIndex, false);
    }
    records.length = rows;
  }

  /** The alternate screen was entered or left: what it showed leaves the screen when it is left. */
  private switchedBuffer(wasAlt: boolean): void {
    if (wasAlt) {
      for (const row of this.records.alt) if (row.text !== '') this.queueLine(row.text, row.timeMs, row.eventIndex, false);
      this.records.alt = blankRecords(this.terminal.rows);
    } else {
      this.records.alt = blankRecords(this.terminal.rows);
    }
    this.flushPending();
  }

  /** Joins a wrapped row to the line before it; hands out a line once its last row has gone. */
  private queueLine(text: string, timeMs: number, eventIndex: number, isWrapped: boolean): void {
    if (isWrapped && this.hasPending) {
      const joined = this.pendingText + text;
      this.pendingText = joined.length > this.maxLineLength ? joined.slice(0, this.maxLineLength) : joined;
      this.pendingTimeMs = Math.max(this.pendingTimeMs, timeMs);
      this.pendingEventIndex = Math.max(this.pendingEventIndex, eventIndex);
      return;
    }
    this.flushPending();
    this.hasPending = true;
    this.pendingText = text.length > this.maxLineLength ? text.slice(0, this.maxLineLength) : text;
    this.pendingTimeMs = timeMs;
    this.pendingEventIndex = eventIndex;
  }

  private flushPending(): void {
    if (!this.hasPending) return;
    this.hasPending = false;
    if (this.onLine && !isBlank(this.pendingText)) this.onLine({ text: this.pendingText, timeMs: this.pendingTimeMs, eventIndex: this.pendingEventIndex });
  }
}

/** Whether `text` is only white space (what String.prototype.trim removes), without a copy. */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c >= 9 && c <= 13 || c === 0xa0 || c === 0x1680 || c >= 0x2000 && c <= 0x200a
      || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) continue;
    return false;
  }
  return true;
}

function toRow(record: RowRecord): Row {
  return new Row(record.text, record.timeMs, record.eventIndex);
}

function toRecord(row: Row): RowRecord {
  return { text: row.text, timeMs: row.timeMs, eventIndex: row.eventIndex };
}

function blankRecords(rows: number): Row[] {
  return Array.from({ length: rows }, () => new Row('', 0, -1));
}

/**
 * An edit keeps the line (typing, backspacing, a redrawn prompt); a replacement shows other text.
 * Rule: the new text is non-empty and keeps at least half of the old text as its prefix.
 */
function isEdit(before: string, after: string): boolean {
  if (after.trim() === '') return false;
  const n = Math.min(before.length, after.length);
  let common = 0;
  while (common < n && before.charCodeAt(common) === after.charCodeAt(common)) common++;
  return common * 2 >= before.trimEnd().length;
}
