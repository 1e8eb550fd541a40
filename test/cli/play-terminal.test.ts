// `play` on a real terminal (node-pty): quitting in the middle of a real vim session, by key, by
// signal or by closing the output, leaves the terminal as it was (checked by feeding everything
// the terminal received into xterm.js); a recording larger than the terminal is warned about.
import { createRequire } from 'node:module';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import xtermHeadless from '@xterm/headless';
import type { IPty } from 'node-pty';
import { TERMINAL_RESET } from '../../lib/cli/terminal-restore.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, TELEPORT_WEB, requireCommand, run, runNoInput, tempDir } from './cli-helpers.js';

const pty = createRequire(import.meta.url)('node-pty') as typeof import('node-pty');
const tmp = tempDir('auditcast-play-');
afterAll(() => tmp.cleanup());
const env = { AUDITCAST_DATA_DIR: join(tmp.dir, 'data') };
const MARK = 'PLAYFIX MARK';
const ALT_SCREEN_ON = '\x1b[?1049h';

interface Played {
  output: string;
  exit: Promise<{ exitCode: number; signal?: number }>;
  /** Resolves when the output so far contains `text`. */
  seen(text: string): Promise<void>;
  term: IPty;
}

/** Runs a shell command line in a new pseudo-terminal and collects what it writes. */
function inTerminal(command: string, size = { cols: 80, rows: 24 }): Played {
  const term = pty.spawn('sh', ['-c', command], {
    ...size, cwd: ROOT, name: 'xterm-256color', env: { ...process.env, ...env, AUDITCAST_NO_PROGRESS: '1' } as Record<string, string>,
  });
  const waiters: { text: string; resolve: () => void }[] = [];
  const played: Played = {
    output: '',
    exit: new Promise((resolve) => term.onExit(resolve)),
    seen: (text) => new Promise((resolve) => {
      if (played.output.includes(text)) resolve();
      else waiters.push({ text, resolve });
    }),
    term,
  };
  term.onData((data) => {
    played.output += data;
    for (const w of [...waiters]) {
      if (played.output.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return played;
}

const play = (args: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} play ${args}`;

/** The modes of a terminal that received `output` (xterm.js parses it as a real terminal would). */
async function terminalAfter(output: string, cols = 80, rows = 24) {
  const term = new xtermHeadless.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(output, resolve));
  const modes = term.modes;
  const state = {
    buffer: term.buffer.active.type,
    mouse: modes.mouseTrackingMode,
    cursorKeys: modes.applicationCursorKeysMode,
    keypad: modes.applicationKeypadMode,
    bracketedPaste: modes.bracketedPasteMode,
    focusEvents: modes.sendFocusMode,
  };
  term.dispose();
  return state;
}

const RESTORED = { buffer: 'normal', mouse: 'none', cursorKeys: false, keypad: false, bracketedPaste: false, focusEvents: false };

describe('play keys on a terminal', () => {
  it('quits on q and pauses on space', async () => {
    const rec = await runNoInput(['record', '--', 'sh', '-c', 'printf 1; sleep 3; printf 2'], { env });
    const sid = /session ([0-9a-f-]{36}) recorded/.exec(rec.stderr)![1]!;
    const quit = inTerminal(play(sid));
    await quit.seen('1');
    const shown = Date.now();
    quit.term.write('q');
    expect((await quit.exit).exitCode).toBe(0);
    expect(Date.now() - shown).toBeLessThan(2500);
    // On a terminal, play ends by resetting the modes a recording may have changed.
    expect(quit.output).toBe(`1${TERMINAL_RESET}`);
    const paused = inTerminal(play(sid));
    await paused.seen('1');
    const started = Date.now();
    paused.term.write(' ');
    await setTimeout(1000);
    paused.term.write(' ');
    await paused.seen('2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3800);
    await paused.exit;
    expect(paused.output).toBe(`12${TERMINAL_RESET}`);
  });
});

describe('play restores the terminal', () => {
  let vim = '';

  beforeAll(async () => {
    requireCommand('vim');
    // A real vim: alternate screen, mouse, keypad, bracketed paste, focus events; then it waits
    // 2 s with all of them on, which playback at 1/8 speed stretches to 16 s to quit in.
    const script = `vim -u NONE -N -i NONE -n -c 'set mouse=a ttymouse=sgr' -c 'call setline(1, "${MARK}")' -c redraw -c 'sleep 2' -c 'qa!'; echo VIM-EXITED`;
    const recorded = await runNoInput(['record', '--', 'sh', '-c', script], { env: { ...env, TERM: 'xterm-256color' } });
    expect(recorded.code).toBe(0);
    vim = /session ([0-9a-f-]{36}) recorded/.exec(recorded.stderr)![1]!;
    const text = (await run(['export', vim, '-f', 'text'], { env })).stdout.toString('latin1');
    for (const mode of [ALT_SCREEN_ON, '\x1b[?1002h', '\x1b=', '\x1b[?2004h']) expect(text).toContain(mode);
  });

  async function quitMidVim(quit: (played: Played) => void) {
    const played = inTerminal(`${play(`${vim} --speed 0.125`)}; stty -a`);
    await played.seen(MARK);
    // vim is on screen: the terminal is in its modes now (proves the test can see a failure).
    expect(await terminalAfter(played.output)).toMatchObject({ buffer: 'alternate', keypad: true, bracketedPaste: true });
    quit(played);
    await played.seen('speed');
    await played.exit;
    const [beforeStty] = played.output.split(/speed \d+ baud/);
    expect(played.output).not.toContain('VIM-EXITED');
    expect(await terminalAfter(beforeStty!)).toEqual(RESTORED);
    // The terminal's line discipline is back in cooked mode (stty -a after play).
    expect(played.output).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(played.output).toMatch(/(^|\s)echo(\s|$)/m);
    return played.output;
  }

  it('when q quits in the middle of vim', async () => {
    const output = await quitMidVim((p) => p.term.write('q'));
    const tail = output.slice(output.lastIndexOf(MARK));
    for (const seq of ['\x1b[?1049l', '\x1b[?1000l', '\x1b[?1002l', '\x1b[?1006l', '\x1b[?1l', '\x1b>', '\x1b[?25h', '\x1b[0m', '\x1b[?2004l']) {
      expect(tail).toContain(seq);
    }
  });

  it('when Ctrl-C quits, and on SIGINT, SIGTERM (exit 128+signal)', async () => {
    await quitMidVim((p) => p.term.write('\x03'));
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      // exec: the signal goes to play itself, as from a terminal's job control or kill(1).
      const played = inTerminal(`exec ${play(`${vim} --speed 0.125`)}`);
      await played.seen(MARK);
      played.term.kill(signal);
      const exit = await played.exit;
      expect(exit.exitCode).toBe(code);
      expect(await terminalAfter(played.output)).toEqual(RESTORED);
    }
  });

  it('when the recording ends, and when the output is closed (stdin back in cooked mode)', async () => {
    const ended = inTerminal(play(`${vim} --idle-limit 0`));
    expect((await ended.exit).exitCode).toBe(0);
    expect(ended.output).toContain('VIM-EXITED');
    expect(await terminalAfter(ended.output)).toEqual(RESTORED);
    // The reader of a pipe goes away mid-vim: play must still give the terminal back to stty.
    const piped = inTerminal(`${play(vim)} | head -c 200 > /dev/null; stty -a`);
    await piped.seen('speed');
    expect((await piped.exit).exitCode).toBe(0);
    expect(piped.output).toMatch(/(^|\s)icanon(\s|$)/m);
  });

  it('warns once when the recording is larger than the terminal', async () => {
    const legacy = join(tmp.dir, 'teleport-vim.tar');
    expect((await run(['import', '--from', 'legacy', join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream'), '-o', legacy])).code).toBe(0);
    // The Teleport session starts at 80x25 (fits) and is resized to 185x54 (does not).
    const small = inTerminal(play(`${legacy} --idle-limit 0`), { cols: 100, rows: 30 });
    expect((await small.exit).exitCode).toBe(0);
    const warnings = small.output.match(/auditcast play: [^\r\n]*/g);
    expect(warnings).toEqual(['auditcast play: the recording is 185x54 but this terminal is 100x30; enlarge it or the output will look wrong']);
    const large = inTerminal(play(`${legacy} --idle-limit 0`), { cols: 200, rows: 60 });
    expect((await large.exit).exitCode).toBe(0);
    expect(large.output).not.toContain('auditcast play:');
  });
});
