// auditcast play SESSION|FILE [--speed X] [--idle-limit SECONDS] [--from SECONDS]
// Replays the terminal output with the recorded timing. Keys (when stdin is a terminal):
// space pause/resume, + faster, - slower, q quit. Every way out (q, end, error, SIGINT/SIGTERM/
// SIGHUP, closed output) restores the terminal the recording's programs changed (terminal-restore).
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectPositionals, numberOption, parseCommand } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { openOutput } from '../output.js';
import { openRecording, RecordingReader } from '../recording-input.js';
import { type TerminalSize, TerminalReader } from '../terminal-reader.js';
import { PlaybackTerminal } from '../terminal-restore.js';

const NAME = 'play';
const MIN_SPEED = 1 / 64;
const MAX_SPEED = 64;

const OPTIONS = {
  speed: { type: 'string', short: 's' },
  'idle-limit': { type: 'string', short: 'i' },
  from: { type: 'string' },
} as const;

/** Playback state changed by keys; `changed` wakes a sleeping wait. */
class Controls {
  speed: number;
  paused = false;
  quit = false;
  private readonly waiters = new Set<() => void>();

  constructor(speed: number) {
    this.speed = speed;
  }

  /** Resolves on the next key that changes something; an aborted wait forgets its waiter. */
  changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const forget = () => this.waiters.delete(waiter);
      const waiter = () => {
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', forget); // the play's signal outlives every wait
        resolve();
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', forget, { once: true });
    });
  }

  key(data: Buffer): void {
    for (const byte of data) {
      const ch = String.fromCharCode(byte);
      if (ch === ' ') this.paused = !this.paused;
      else if (ch === '+' || ch === '=') this.speed = Math.min(MAX_SPEED, this.speed * 2);
      else if (ch === '-' || ch === '_') this.speed = Math.max(MIN_SPEED, this.speed / 2);
      else if (ch === 'q' || byte === 3 || byte === 4) this.quit = true;
      else continue;
    }
    this.wake();
  }

  /** Ends playback from outside (a signal). */
  stop(): void {
    this.quit = true;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits `seconds` of recording time at the current speed, pausing and re-timing on keys. */
  async wait(seconds: number): Promise<void> {
    let remaining = seconds;
    while (remaining > 0 && !this.quit) {
      if (this.paused) {
        await this.changed();
        continue;
      }
      const speed = this.speed;
      const started = performance.now();
      const abort = new AbortController();
      const woke = await Promise.race([
        sleep((remaining * 1000) / speed, 'slept', { signal: abort.signal }).catch(() => 'aborted'),
        this.changed(abort.signal).then(() => 'key'),
      ]);
      abort.abort();
      if (woke === 'slept') return;
      remaining -= ((performance.now() - started) / 1000) * speed;
    }
  }
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Warns once on stderr when the recording needs a larger terminal than this one (its output
 * would wrap and scroll wrongly). Only a terminal has a size to compare with.
 */
function sizeWarning(stdout: NodeJS.WriteStream): (size: TerminalSize | null) => void {
  let warned = false;
  return (size) => {
    if (warned || !size || stdout.isTTY !== true || !stdout.columns || !stdout.rows) return;
    if (size.cols <= stdout.columns && size.rows <= stdout.rows) return;
    warned = true;
    process.stderr.write(`auditcast play: the recording is ${size.cols}x${size.rows} but this terminal is ${stdout.columns}x${stdout.rows}; enlarge it or the output will look wrong\n`);
  };
}

export const playCommand: Command = {
  name: NAME,
  summary: 'replay a recording in the terminal with its recorded timing',
  help: helpText(
    'auditcast play SESSION|FILE [--speed X] [--idle-limit SECONDS] [--from SECONDS]',
    [
      'Replays the terminal output of a recording with the timing of its print events.',
      'Keys while playing (when standard input is a terminal): space pause/resume,',
      '+ twice as fast, - half as fast, q quit.',
    ].join('\n'),
    [
      ['-s, --speed X', 'playback speed (default 1; 2 = twice as fast)'],
      ['-i, --idle-limit S', 'cap every pause at S seconds'],
      ['--from S', 'start S seconds into the session (earlier output is drawn at once)'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, OPTIONS);
    expectPositionals(NAME, positionals, 1, 1, 'SESSION or FILE');
    const speed = numberOption(NAME, values, 'speed', MIN_SPEED, MAX_SPEED) ?? 1;
    const idleLimit = numberOption(NAME, values, 'idle-limit', 0);
    const from = numberOption(NAME, values, 'from', 0) ?? 0;
    const file = await openRecording(positionals[0]!, resolveDataDir(values.dataDir));
    const reader = await RecordingReader.open(file.path);

    const controls = new Controls(speed);
    const terminal = new PlaybackTerminal(process.stdin, process.stdout, (data) => controls.key(data));
    let stoppedBy: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      stoppedBy ??= signal;
      controls.stop();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    const warnIfLarger = sizeWarning(process.stdout);
    const out = openOutput();
    try {
      const recording = new TerminalReader(reader);
      warnIfLarger((await recording.open()).size);
      let lastT = 0;
      for await (const frame of recording.frames()) {
        if (controls.quit) break;
        if (frame.kind === 'resize') warnIfLarger(frame.size);
        if (frame.kind !== 'output') continue;
        if (frame.t > from) {
          let gap = frame.t - Math.max(lastT, from);
          if (idleLimit !== undefined) gap = Math.min(gap, idleLimit);
          if (gap > 0) await controls.wait(gap);
          if (controls.quit) break;
        }
        lastT = frame.t;
        await out.write(frame.data);
        terminal.wrote(frame.data);
      }
      await out.end();
    } catch (err) {
      // Writing fails once a signal closed the terminal: the signal is the story, not EIO.
      if (stoppedBy === null) throw err;
    } finally {
      terminal.restore();
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      await reader.close();
    }
    return stoppedBy === null ? 0 : 128 + osConstants.signals[stoppedBy];
  },
};
