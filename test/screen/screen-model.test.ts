import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ScreenModel, type ScreenLine } from '../../lib/screen/screen-model.js';

const START = Date.UTC(2026, 0, 1);

function start(size = '80:24'): AuditEvent {
  return { $type: 'SessionStart', Metadata: { Index: 0, Type: 'session.start', ID: '', Code: 'T2000I', Time: Timestamp.fromMillis(START), ClusterName: '' }, TerminalSize: size } as AuditEvent;
}

function print(index: number, ms: number, data: string | Uint8Array): AuditEvent {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return {
    $type: 'SessionPrint', Metadata: { Index: index, Type: 'print', ID: '', Code: '', Time: Timestamp.fromMillis(START + ms), ClusterName: '' },
    ChunkIndex: index, Data: bytes, Bytes: bytes.length, DelayMilliseconds: ms, Offset: 0,
  };
}

function resize(index: number, ms: number, size: string): AuditEvent {
  return { $type: 'Resize', Metadata: { Index: index, Type: 'resize', ID: '', Code: 'T2002I', Time: Timestamp.fromMillis(START + ms), ClusterName: '' }, TerminalSize: size } as AuditEvent;
}

function replay(events: AuditEvent[], options: ConstructorParameters<typeof ScreenModel>[0] = {}): { model: ScreenModel; lines: ScreenLine[] } {
  const lines: ScreenLine[] = [];
  const model = new ScreenModel({ ...options, onLine: (l) => lines.push(l) });
  for (const e of events) model.apply(e);
  return { model, lines };
}

describe('ScreenModel', () => {
  it('sizes the screen from session.start and follows resizes', () => {
    const { model } = replay([start('100:30'), print(1, 0, 'hi'), resize(2, 10, '120:40')]);
    expect([model.cols, model.rows]).toEqual([120, 40]);
    expect(model.rowTexts()[0]).toBe('hi');
    model.dispose();
  });

  it('hands out lines as they scroll off, each with the time of the print that wrote it', () => {
    const events = [start('20:3'), print(1, 100, 'one\r\n'), print(2, 200, 'two\r\n'), print(3, 300, 'three\r\nfour\r\n')];
    const { model, lines } = replay(events);
    // The last line out waits until the next one goes (it might continue on a wrapped row).
    expect(lines).toEqual([{ text: 'one', timeMs: 100, eventIndex: 1 }]);
    model.finish();
    expect(lines.slice(1)).toEqual([
      { text: 'two', timeMs: 200, eventIndex: 2 }, { text: 'three', timeMs: 300, eventIndex: 3 }, { text: 'four', timeMs: 300, eventIndex: 3 },
    ]);
    model.dispose();
  });

  it('a typed line keeps growing in place and is dated by its last keystroke', () => {
    const typed = '$ kubectl delete pod web';
    const events = [start('40:5'), ...[...typed].map((c, i) => print(i + 1, 100 * (i + 1), c)), print(typed.length + 1, 5000, '\r\n')];
    const { model, lines } = replay(events);
    model.finish();
    expect(lines).toEqual([{ text: typed, timeMs: 100 * typed.length, eventIndex: typed.length }]);
    model.dispose();
  });

  it('joins a wrapped line, and cuts a line at maxLineLength', () => {
    const long = 'x'.repeat(25);
    const { model, lines } = replay([start('10:3'), print(1, 0, `${long}\r\nend\r\n\r\n\r\n`)], { maxLineLength: 20 });
    model.finish();
    expect(lines[0]).toEqual({ text: 'x'.repeat(20), timeMs: 0, eventIndex: 1 });
    expect(lines[1]!.text).toBe('end');
    model.dispose();
  });

  it('decodes UTF-8 split across prints and wide characters', () => {
    const text = Buffer.from('日本語 ok é\r\n');
    const split = [start('20:3'), ...[...text].map((b, i) => print(i + 1, i, Uint8Array.of(b)))];
    const whole = [start('20:3'), print(1, 0, text)];
    const a = replay(split);
    const b = replay(whole);
    expect(a.model.rowTexts()[0]).toBe('日本語 ok é');
    expect(a.model.snapshot().data).toBe(b.model.snapshot().data);
    expect(a.model.snapshot().cursorX).toBe(0);
    a.model.dispose();
    b.model.dispose();
  });

  it('alternate screen: its text leaves when the program exits, the shell screen comes back', () => {
    const events = [
      start('30:5'), print(1, 10, '$ vi notes\r\n'),
      print(2, 20, '\x1b[?1049h\x1b[H\x1b[2Jsecret plan\r\n~\r\n'),
      print(3, 30, '\x1b[?1049l$ '),
    ];
    const { model, lines } = replay(events.slice(0, 3));
    expect(model.snapshot().altScreen).toBe(true);
    expect(model.rowTexts()[0]).toBe('secret plan');
    model.apply(events[3]!);
    expect(model.snapshot().altScreen).toBe(false);
    expect(model.rowTexts().slice(0, 2)).toEqual(['$ vi notes', '$ ']);
    expect(lines).toContainEqual({ text: 'secret plan', timeMs: 20, eventIndex: 2 });
    model.dispose();
  });

  it('a cleared screen hands its lines out', () => {
    const { model, lines } = replay([start('30:5'), print(1, 10, 'before clear\r\n'), print(2, 20, '\x1b[H\x1b[2J')]);
    model.finish();
    expect(lines).toEqual([{ text: 'before clear', timeMs: 10, eventIndex: 1 }]);
    model.dispose();
  });

  it('a snapshot restores the exact state: the same output afterwards draws the same screen', () => {
    const head = [start('20:6'), print(1, 0, 'abc\x1b[2;5r\x1b[31mred'), print(2, 1, '\x1b7\x1b[5;1Hxxxxxxxxxxxxxxxxxxxx')];
    const tail = [print(3, 2, 'Y\x1b8Z\r\n\n\n\n\nwrap'), print(4, 3, '\x1b[?1049hALT')];
    const full = replay([...head, ...tail]).model;
    const part = replay(head).model;
    const resumed = ScreenModel.fromSnapshot(part.snapshot());
    for (const e of tail) resumed.apply(e);
    expect(resumed.snapshot()).toEqual(full.snapshot());
    for (const m of [full, part, resumed]) m.dispose();
  });

  it('bounds the screen against a hostile resize and a flood of escape sequences', () => {
    const { model } = replay([start('80:24'), resize(1, 1, '99999999:99999999')], { maxCols: 500, maxRows: 200, maxCells: 50_000 });
    expect(model.cols).toBeLessThanOrEqual(500);
    expect(model.rows).toBeLessThanOrEqual(200);
    expect(model.cols * model.rows).toBeLessThanOrEqual(50_000);
    expect(model.clampedResizes).toBe(1);
    // 2 MB of colours, cursor jumps and titles, 2 MB of one unterminated title, some alt-screen flips.
    const flood = Buffer.concat([
      Buffer.from('\x1b[38;2;1;2;3m\x1b[1000;1000H\x1b]0;title\x07'.repeat(50_000)),
      Buffer.from(`\x1b]0;${'t'.repeat(2 * 1024 * 1024)}`),
      Buffer.from('\x07\x1b[?1049h\x1b[?1049l'.repeat(1000)),
    ]);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < flood.length; i += 65536) model.apply(print(2 + i, 2, flood.subarray(i, i + 65536)));
    model.finish();
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(model.snapshot().data.length).toBeLessThan(2 * 1024 * 1024);
    model.dispose();
  });

  it('rejects limits that make no sense', () => {
    expect(() => new ScreenModel({ maxCols: 0 })).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
  });
});
