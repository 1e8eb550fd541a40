// The few parts of @xterm/headless (pinned at 6.0.0) that its public API does not reach, in one
// place: a synchronous write (parsing the bytes of one event before the next is applied), a hook
// that sees each line just before a scroll drops it, and the cursor state a keyframe must carry
// that no escape sequence from the serialize addon restores (pending wrap, scroll region, current
// and saved attributes), and the cells' content words, compared to see cheaply that a row did not
// change. `attachInternals` checks the shape and fails loudly if an upgrade moved it.
import type { Terminal } from '@xterm/headless';
import { AuditcastError } from '../errors.js';

interface AttrData { fg: number; bg: number }

/** A row of the buffer: 3 words per cell, the first is its content (code point, combined flag, width). */
export interface InternalLine {
  readonly _data: Uint32Array;
  readonly length: number;
  isWrapped: boolean;
  translateToString(trimRight?: boolean): string;
}

/** Cell layout of BufferLine._data (xterm's Constants.ts): CELL_SIZE words per cell, content first. */
const CELL_SIZE = 3;
const IS_COMBINED = 0x200000;

interface InternalBuffer {
  x: number;
  y: number;
  ybase: number;
  scrollTop: number;
  scrollBottom: number;
  savedX: number;
  savedY: number;
  savedCurAttrData: AttrData;
  ydisp: number;
  lines: {
    readonly length: number;
    readonly maxLength: number;
    get(i: number): InternalLine | undefined;
    trimStart(count: number): void;
  };
}

interface InternalCore {
  writeSync(data: string | Uint8Array): void;
  buffer: InternalBuffer;
  buffers: { normal: InternalBuffer; alt: InternalBuffer };
  _bufferService: { scroll(attr: unknown, isWrapped?: boolean): void };
  _inputHandler: { _curAttrData: AttrData };
}

/** Cursor state of one buffer that the serialized screen does not restore. */
export interface BufferCursorState {
  x: number;
  y: number;
  scrollTop: number;
  scrollBottom: number;
  savedX: number;
  savedY: number;
  savedFg: number;
  savedBg: number;
}

export interface CursorState {
  fg: number;
  bg: number;
  normal: BufferCursorState;
  alt: BufferCursorState;
}

/** What is about to happen to the line at the top of the scroll region. */
export type ScrollKind =
  /** The whole screen scrolls up (normal screen, region from the top row). */
  | 'screen'
  /** Only a region scrolls, or the alternate screen does. */
  | 'region';

export interface XtermInternals {
  writeSync(data: Uint8Array | string): void;
  /** Row `y` of the active screen (undefined past its end). */
  line(y: number): InternalLine | undefined;
  /** Whether the alternate screen is the active one (cheaper than the public API's buffer.active). */
  isAlt(): boolean;
  /** The current scroll region of the active screen (rows, inclusive; numbers, not an object per scroll). */
  regionTop(): number;
  regionBottom(): number;

  cursorState(): CursorState;
  restoreCursorState(state: CursorState): void;
}

/**
 * Hooks `onScroll(kind)` in front of every scroll of the active buffer: the top line of the scroll
 * region, the one about to leave the screen, still exists then (`line(regionTop())`).
 */
export function attachInternals(terminal: Terminal, onScroll: (kind: ScrollKind) => void): XtermInternals {
  const core = (terminal as unknown as { _core?: InternalCore })._core;
  const service = core?._bufferService;
  if (!core || typeof core.writeSync !== 'function' || !service || typeof service.scroll !== 'function'
    || !core._inputHandler?._curAttrData || !core.buffers?.normal || !isLine(core.buffer.lines.get(0))
    || typeof (bytes as Latin1).latin1Slice !== 'function') {
    throw new AuditcastError('UNSUPPORTED', 'this @xterm/headless version is not the one auditcast was built for (internals moved)');
  }
  const scroll = service.scroll.bind(service);
  service.scroll = (attr: unknown, isWrapped?: boolean) => {
    const buffer = core.buffer;
    // Mirrors BufferService.scroll: only a region starting at the top row feeds the scrollback.
    onScroll(buffer !== core.buffers.normal || buffer.scrollTop !== 0 ? 'region' : 'screen');
    scroll(attr, isWrapped);
  };
  const bufferState = (b: InternalBuffer): BufferCursorState => ({
    x: b.x, y: b.y, scrollTop: b.scrollTop, scrollBottom: b.scrollBottom,
    savedX: b.savedX, savedY: b.savedY - b.ybase, savedFg: b.savedCurAttrData.fg, savedBg: b.savedCurAttrData.bg,
  });
  const restoreBuffer = (b: InternalBuffer, s: BufferCursorState, rows: number, cols: number) => {
    const clampY = (y: number) => Math.max(0, Math.min(rows - 1, y));
    b.x = Math.max(0, Math.min(cols, s.x)); // cols itself is the pending-wrap position
    b.y = clampY(s.y);
    b.scrollTop = clampY(s.scrollTop);
    b.scrollBottom = Math.max(b.scrollTop, clampY(s.scrollBottom));
    b.savedX = Math.max(0, Math.min(cols, s.savedX));
    b.savedY = clampY(s.savedY) + b.ybase;
    b.savedCurAttrData.fg = s.savedFg;
    b.savedCurAttrData.bg = s.savedBg;
  };
  return {
    writeSync: (data) => core.writeSync(data),
    line: (y) => core.buffer.lines.get(core.buffer.ybase + y),
    isAlt: () => core.buffer === core.buffers.alt,
    regionTop: () => core.buffer.scrollTop,
    regionBottom: () => core.buffer.scrollBottom,
    cursorState: () => ({
      fg: core._inputHandler._curAttrData.fg,
      bg: core._inputHandler._curAttrData.bg,
      normal: bufferState(core.buffers.normal),
      alt: bufferState(core.buffers.alt),
    }),
    restoreCursorState: (state) => {
      core._inputHandler._curAttrData.fg = state.fg;
      core._inputHandler._curAttrData.bg = state.bg;
      restoreBuffer(core.buffers.normal, state.normal, terminal.rows, terminal.cols);
      restoreBuffer(core.buffers.alt, state.alt, terminal.rows, terminal.cols);
    },
  };
}

function isLine(line: InternalLine | undefined): boolean {
  return !!line && line._data instanceof Uint32Array && line._data.length === line.length * CELL_SIZE && typeof line.translateToString === 'function';
}

/** The content word of each cell of `line`, copied into `into` (reallocated when the width changed). */
export function copyContent(line: InternalLine, into: Uint32Array | null): Uint32Array {
  const n = line.length;
  const out = into && into.length === n ? into : new Uint32Array(n);
  const data = line._data;
  for (let i = 0; i < n; i++) out[i] = data[i * CELL_SIZE]!;
  return out;
}

/**
 * Whether `line` holds the content words `content` (a copy from `copyContent`): then its text is
 * the one read with the copy. False for a combined character (its text lives outside the words).
 */
export function sameContent(line: InternalLine, content: Uint32Array): boolean {
  const n = line.length;
  if (content.length !== n) return false;
  const data = line._data;
  for (let i = 0; i < n; i++) {
    const word = data[i * CELL_SIZE]!;
    if (word !== content[i] || (word & IS_COMBINED) !== 0) return false;
  }
  return true;
}

const HAS_CONTENT = 0x3fffff;
const CODEPOINT = 0x1fffff;
const WIDTH_SHIFT = 22;
let bytes = Buffer.allocUnsafe(1024);
let codes = new Uint16Array(1024);
type Latin1 = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * `line.translateToString(true)` (the row as text, trailing empty cells trimmed), built in one
 * piece: xterm joins a string cell by cell, which V8 must then flatten, about twice the cost for
 * every line handed out. Rows with a combined character or one beyond the BMP are xterm's own.
 */
export function lineText(line: InternalLine): string {
  const data = line._data;
  const n = line.length;
  let end = 0;
  for (let i = n - 1; i >= 0; i--) {
    const word = data[i * CELL_SIZE]!;
    if ((word & HAS_CONTENT) !== 0) {
      end = Math.min(n, i + (word >> WIDTH_SHIFT));
      break;
    }
  }
  if (bytes.length < end) bytes = Buffer.allocUnsafe(end);
  let length = 0;
  for (let col = 0; col < end;) {
    const word = data[col * CELL_SIZE]!;
    const cp = word & CODEPOINT;
    if (cp > 0xff || (word & IS_COMBINED) !== 0) return wideLineText(line, end);
    bytes[length++] = cp === 0 ? 32 : cp; // an empty cell reads as a space
    col += (word >> WIDTH_SHIFT) || 1;
  }
  return (bytes as Latin1).latin1Slice(0, length);
}

/** lineText of a row with a character beyond Latin-1: UTF-16 when all are in the BMP, else xterm's own. */
function wideLineText(line: InternalLine, end: number): string {
  const data = line._data;
  if (codes.length < end) codes = new Uint16Array(end);
  let length = 0;
  for (let col = 0; col < end;) {
    const word = data[col * CELL_SIZE]!;
    const cp = word & CODEPOINT;
    if ((word & IS_COMBINED) !== 0 || cp > 0xffff || cp >= 0xd800 && cp <= 0xdfff) return line.translateToString(true);
    codes[length++] = cp === 0 ? 32 : cp;
    col += (word >> WIDTH_SHIFT) || 1;
  }
  return Buffer.from(codes.buffer, codes.byteOffset, length * 2).toString('utf16le');
}
