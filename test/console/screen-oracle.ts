// What the screen shows at given moments, replayed in Node by xterm.js's headless emulator from
// the recording file: the oracle the browser's #screen-text is compared with.
import xtermHeadless from '@xterm/headless';
import { outlineRecording, playerFrames } from '../../lib/console/session-frames.js';

const { Terminal } = xtermHeadless;

/** Screen text (rows below the scrollback, trailing spaces trimmed) at each time, in one pass. */
export async function screensAt(path: string, times: readonly number[]): Promise<Map<number, string>> {
  const outline = await outlineRecording(path);
  const term = new Terminal({ cols: outline.cols, rows: outline.rows, scrollback: 1000, allowProposedApi: true });
  const flushed = () => new Promise<void>((resolve) => term.write('', resolve));
  const text = () => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.baseY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  const pending = [...times].sort((a, b) => a - b);
  const result = new Map<number, string>();
  for await (const frame of playerFrames(path)) {
    while (pending.length > 0 && frame.t > pending[0]!) {
      await flushed();
      result.set(pending.shift()!, text());
    }
    if (pending.length === 0) break;
    if ('o' in frame) term.write(Buffer.from(frame.o, 'base64'));
    else if ('r' in frame) term.resize(frame.r[0], frame.r[1]);
  }
  await flushed();
  for (const t of pending) result.set(t, text());
  term.dispose();
  return result;
}
