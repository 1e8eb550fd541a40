// The screen model reads rows through lineText (built in one piece) and skips rows whose cells'
// content words did not change (sameContent): both must say exactly what xterm's own
// translateToString(true) says, on every kind of cell.
import xtermHeadless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { attachInternals, copyContent, lineText, sameContent } from '../../lib/screen/xterm-internals.js';

function terminal(cols = 40, rows = 12) {
  const t = new xtermHeadless.Terminal({ cols, rows, scrollback: 0, allowProposedApi: true, logLevel: 'off' });
  const internals = attachInternals(t, () => {});
  return { t, internals };
}

const ROWS: [string, string][] = [
  ['ascii', 'hello world'],
  ['trailing spaces written', 'abc   '],
  ['cursor moved over empty cells', 'a\x1b[5Cb'],
  ['latin-1', 'caf\u00e9 \u00a0 na\u00efve \u00ff'],
  ['BMP beyond latin-1 (box drawing)', '\u250c\u2500\u2510 \u2502x\u2502'],
  ['wide characters', '\u4e2d\u6587 ok \u4e2d'],
  ['combining mark', 'e\u0301t\u00e9'],
  ['astral (emoji)', 'ok \u{1f642} done'],
  ['colours only', '\x1b[31mred\x1b[0m plain'],
  ['erased tail', 'abcdef\x1b[3D\x1b[K'],
  ['empty', ''],
  ['full width of the row', 'x'.repeat(40)],
];

describe('lineText and sameContent', () => {
  for (const [name, text] of ROWS) {
    it(`reads a row as translateToString(true) does: ${name}`, () => {
      const { t, internals } = terminal();
      internals.writeSync(`${text}\r\n`);
      const line = internals.line(0)!;
      expect(lineText(line)).toBe(line.translateToString(true));
      t.dispose();
    });
  }

  it('says a row is unchanged only when its content words are, never for a combined character', () => {
    const { t, internals } = terminal();
    internals.writeSync('same text\r\ne\u0301\r\n');
    const plain = copyContent(internals.line(0)!, null);
    const combined = copyContent(internals.line(1)!, null);
    expect(sameContent(internals.line(0)!, plain)).toBe(true);
    expect(sameContent(internals.line(1)!, combined)).toBe(false);
    internals.writeSync('\x1b[1;1Hsame tex!');
    expect(sameContent(internals.line(0)!, plain)).toBe(false);
    // Colour alone does not change the text, nor the content words.
    internals.writeSync('\x1b[1;1H\x1b[32msame text\x1b[0m');
    expect(sameContent(internals.line(0)!, plain)).toBe(true);
    t.resize(30, 12);
    expect(sameContent(internals.line(0)!, plain)).toBe(false); // another width: read again
    t.dispose();
  });
});
