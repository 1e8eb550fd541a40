// The few parts of @xterm/headless (pinned at 6.0.0) that its public API does not reach, in one
// place: a synchronous write (parsing the bytes of one event before the next is applied), a hook
// that sees each line just before a scroll drops it, and the cursor state a keyframe must carry
// that no escape sequence from the serialize addon restores (pending wrap, scroll region, current
// and saved attributes). `attachInternals` checks the shape and fails loudly if an upgrade moved it.
import type { Terminal } from '@xterm/headless';
import { AuditcastError } from '../errors.js';

interface AttrData { fg: number; bg: number }

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
    get(i: number): { translateToString(trim?: boolean): string; isWrapped: boolean } | undefined;
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

export interface ScrollLine {
  text: string;
  isWrapped: boolean;
}

export interface XtermInternals {
  writeSync(data: Uint8Array | string): void;
  /** The top line of the current scroll region (the one a scroll drops), and the region. */
  regionTop(): ScrollLine & { top: number; bottom: number };

  cursorState(): CursorState;
  restoreCursorState(state: CursorState): void;
}

/**
 * Hooks `onScrollOut(text, wrapped)` in front of every scroll of the active buffer: it gets the top
 * line of the scroll region, the one about to leave the screen, while it still exists.
 */
export function attachInternals(terminal: Terminal, onScroll: (kind: ScrollKind) => void): XtermInternals {
  const core = (terminal as unknown as { _core?: InternalCore })._core;
  const service = core?._bufferService;
  if (!core || typeof core.writeSync !== 'function' || !service || typeof service.scroll !== 'function'
    || !core._inputHandler?._curAttrData || !core.buffers?.normal) {
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
    regionTop: () => {
      const b = core.buffer;
      const line = b.lines.get(b.ybase + b.scrollTop);
      return { text: line ? line.translateToString(true) : '', isWrapped: line ? line.isWrapped : false, top: b.scrollTop, bottom: b.scrollBottom };
    },
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
