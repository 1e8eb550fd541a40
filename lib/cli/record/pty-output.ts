// How a recorded command's output is read from its pseudo-terminal.
//
// Natively when the addon is there: a thread of the addon (native/core/pty_drain) reads the
// terminal's master as soon as it is readable and shows the output on our stdout, as `script` does,
// and the recorder takes what came in batches. A fast command blocks whenever the terminal's few KiB
// of kernel buffer are full, so on the event loop (node-pty's socket) every read waited for the
// recorder's other work and `seq 1 2000000` ran 1.3-2.5x slower than under `script` with no recorder
// at all. Without the addon (or with AUDITCAST_FORCE_JS=1), node-pty's own socket reads it.
import { writeSync } from 'node:fs';
import type { IPty } from 'node-pty';
import { loadNativeAddon } from '../../codec/native-loader.js';

/** Output waiting for the recorder beyond this stops the reads: the command blocks, memory does not grow. */
const MAX_PENDING_BYTES = 1024 * 1024;
const STDOUT_FD = 1;

type NativePtyDrain = new (
  fd: number, echoFd: number, maxPending: number,
  onData: (bytes: Buffer | null, ended: boolean, errno: number) => void,
) => { stop(): void };

export interface PtyOutput {
  /** Whether the addon's thread reads it (else node-pty's socket). */
  readonly native: boolean;
  /** Settles once every byte of output was handed to onOutput (the terminal was hung up or stop() was called). */
  readonly ended: Promise<void>;
  /** After the command exited: read what is left now and end, even if another process holds the terminal. */
  stop(): void;
}

/**
 * Reads `child`'s output: each chunk is written to stdout (or `echoFd`), then given to onOutput.
 * Without the addon node-pty's socket does it, and the output ends with node-pty's exit (`exited`).
 */
export function readPtyOutput(child: IPty, onOutput: (bytes: Buffer) => void, exited: Promise<unknown>, echoFd = STDOUT_FD): PtyOutput {
  const Drain = nativeDrain();
  const socket = (child as unknown as { _socket?: { _read: unknown; destroy(): void } })._socket;
  const fd = (child as unknown as { _fd?: unknown })._fd;
  if (Drain && socket && typeof fd === 'number') {
    // node-pty's socket must never read the master (the drain does): it starts reading on the
    // next tick, through _read, because node-pty listens for 'data'; that read now does nothing.
    socket._read = () => {};
    let done!: () => void;
    const ended = new Promise<void>((resolve) => { done = resolve; });
    const drain = new Drain(fd, echoFd, MAX_PENDING_BYTES, (bytes, end) => {
      if (bytes) onOutput(bytes);
      if (end) {
        // node-pty reports the exit once its socket closed (else 200 ms after the exit).
        socket.destroy();
        done();
      }
    });
    return { native: true, ended, stop: () => drain.stop() };
  }
  const echo = echoFd === STDOUT_FD ? (bytes: Buffer) => process.stdout.write(bytes) : (bytes: Buffer) => writeSync(echoFd, bytes);
  child.onData((chunk: string | Buffer) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    echo(bytes);
    onOutput(bytes);
  });
  return { native: false, ended: exited.then(() => {}), stop: () => {} };
}

let cached: NativePtyDrain | null | undefined;

function nativeDrain(): NativePtyDrain | null {
  if (cached === undefined) {
    const drain = loadNativeAddon().addon?.PtyDrain;
    cached = typeof drain === 'function' ? drain as NativePtyDrain : null;
  }
  return cached;
}
