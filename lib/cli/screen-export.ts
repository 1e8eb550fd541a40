// `export --format txt` (the session as the lines of text that were on the screen, in the order they
// left it, without escape sequences; a line equal to the one just before it is a redraw and is
// dropped) and `export --format screen --at TIME` (the screen at that moment, from the index).
import { ScreenModel } from '../screen/screen-model.js';
import { readRecordingFrom } from '../stream/positioned-reader.js';
import type { DataDir } from './data-dir.js';
import type { Output } from './output.js';
import { openRecordingIndex } from './recording-index.js';
import type { RecordingFile } from './recording-input.js';

export async function writeTextExport(file: RecordingFile, out: Output): Promise<void> {
  const pending: string[] = [];
  let previous: string | null = null;
  const model = new ScreenModel({
    onLine: (line) => {
      if (line.text === previous) return;
      previous = line.text;
      pending.push(`${line.text.trimEnd()}\n`);
    },
  });
  try {
    for await (const { event } of readRecordingFrom(file.path)) {
      model.apply(event);
      if (pending.length > 0) await out.write(pending.splice(0).join(''));
    }
    model.finish();
    if (pending.length > 0) await out.write(pending.splice(0).join(''));
  } finally {
    model.dispose();
  }
}

/** The screen at `timeMs` as text: its rows, trailing blank rows left out. */
export async function writeScreenAt(file: RecordingFile, data: DataDir, timeMs: number, out: Output): Promise<void> {
  const index = await openRecordingIndex(data);
  try {
    const screen = await index.screenAt(file.sessionId ?? file.path, file.path, timeMs);
    const rows = [...screen.text];
    while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
    await out.write(rows.map((row) => `${row}\n`).join(''));
  } finally {
    await index.close();
  }
}
