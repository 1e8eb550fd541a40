// Indexing a recording that record, import or recover just completed, without making the command
// wait for it: a detached, low-priority `auditcast index SESSION` (what AUDITCAST_INDEX chooses).
// This module loads nothing of the index or the terminal emulator: `record` starts faster.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { isUuid } from '../uploads/ids.js';
import type { RecordingIndex } from '../index-store/recording-index.js';
import { stringList } from './args.js';
import type { DataDir } from './data-dir.js';

/** Niceness of the background indexer: it yields the CPU to the user's own work. */
const BACKGROUND_NICE = 10;

/**
 * What happens when record, import or recover complete a recording, from AUDITCAST_INDEX:
 * `background` (default) starts a detached `auditcast index SESSION` and returns at once;
 * `wait` indexes before the command ends; `off` leaves it to the next grep, serve or index.
 */
export async function indexCompletedRecording(data: DataDir, sessionId: string, file: string, eol = '\n', values: Record<string, unknown> = {}): Promise<void> {
  const mode = process.env.AUDITCAST_INDEX ?? 'background';
  if (mode === 'off') return;
  if (mode === 'wait') return indexNow(data, sessionId, file, eol, values);
  if (mode !== 'background') {
    process.stderr.write(`auditcast: AUDITCAST_INDEX=${mode} is not one of background, wait, off; indexing in the background${eol}`);
  }
  const script = process.argv[1];
  // `index SESSION` finds it by id in the data dir; anything else is left to the next grep.
  if (!script || !isUuid(sessionId)) return;
  try {
    // The same text index as the command's (--audit-url may put it in PostgreSQL).
    const audit = stringList(values, 'audit-url').flatMap((url) => ['--audit-url', url]);
    const child = spawn(process.execPath, [...process.execArgv, script, 'index', '--data-dir', data.root, ...audit, sessionId], {
      detached: true, stdio: 'ignore', env: { ...process.env, AUDITCAST_INDEX: 'off' },
    });
    child.on('error', () => {}); // not started: the next grep indexes it
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, BACKGROUND_NICE);
      } catch {
        // gone already, or not allowed: it runs at normal priority
      }
    }
    child.unref();
  } catch (err) {
    process.stderr.write(`auditcast: session ${sessionId} not indexed now (${(err as Error).message}); grep will index it${eol}`);
  }
}

async function indexNow(data: DataDir, sessionId: string, file: string, eol: string, values: Record<string, unknown>): Promise<void> {
  let index: RecordingIndex | undefined;
  try {
    index = await (await import('./recording-index.js')).openRecordingIndex(data, values);
    const result = await index.indexRecording(sessionId, file);
    if (result.header.error) process.stderr.write(`auditcast: indexed session ${sessionId} up to a problem: ${result.header.error}${eol}`);
  } catch (err) {
    process.stderr.write(`auditcast: session ${sessionId} not indexed: ${(err as Error).message}${eol}`);
  } finally {
    await index?.close();
  }
}

