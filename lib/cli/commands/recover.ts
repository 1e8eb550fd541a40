// auditcast recover [SESSION]: completes the recordings that a killed `record` (or import) left as
// uploads in <data>/records/multi: at once when the recorder's process is gone, otherwise once
// nothing was written for the grace period (record/recording-owner.ts). Each recovered session
// becomes <data>/records/<sid>.tar from the parts that reached the disk; the upload dir and the
// owner file go. An upload still being written is left alone and reported.
import * as fs from 'node:fs/promises';
import { FileUploader } from '../../uploads/file-uploader.js';
import { checkSessionId } from '../../uploads/ids.js';
import { expectPositionals, parseCommand } from '../args.js';
import { type Command, helpText } from '../command.js';
import { resolveDataDir } from '../data-dir.js';
import { CliError, describeError } from '../errors.js';
import { formatBytes } from '../output.js';
import { indexCompletedRecording } from '../index-on-completion.js';
import { ABANDONED_AFTER_MS, removeOwner, uploadState } from '../record/recording-owner.js';

const NAME = 'recover';

export const recoverCommand: Command = {
  name: NAME,
  summary: 'complete recordings left unfinished by a killed recorder',
  help: helpText(
    'auditcast recover [SESSION]',
    [
      'Completes the abandoned recordings in <data>/records (all of them, or SESSION\'s): those whose',
      `recorder is no longer running, or that nothing wrote to for ${ABANDONED_AFTER_MS / 60_000} minutes. A session still being`,
      'recorded is left alone. Exits 1 when a recording could not be completed.',
    ].join('\n'),
    [],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, {});
    expectPositionals(NAME, positionals, 0, 1, 'SESSION');
    const only = positionals[0] === undefined ? undefined : checkSessionArg(positionals[0]);
    const data = resolveDataDir(values.dataDir);
    await fs.stat(data.root).catch((err: unknown) => {
      throw new CliError(`data dir ${data.root}: ${describeError(err)}`);
    });
    const uploader = new FileUploader({ directory: data.records });
    const uploads = (await uploader.listUploads()).filter((u) => only === undefined || u.sessionId === only);
    if (uploads.length === 0) {
      process.stderr.write(only ? `session ${only} has nothing to recover in ${data.records}\n` : `nothing to recover in ${data.records}\n`);
      return 0;
    }
    let failed = 0;
    for (const upload of uploads) {
      const state = await uploadState(data.records, upload);
      if (state.state === 'recording') {
        process.stderr.write(`session ${upload.sessionId} is still being recorded${state.pid ? ` (pid ${state.pid})` : ''}: left alone\n`);
        continue;
      }
      try {
        const parts = await uploader.listParts(upload);
        await uploader.completeUpload(upload, parts);
        await removeOwner(data.records, upload.sessionId);
        if (parts.length === 0) {
          process.stdout.write(`session ${upload.sessionId}: nothing had reached the disk (${state.why}); upload removed\n`);
        } else {
          const file = uploader.recordingPath(upload.sessionId);
          const size = (await fs.stat(file)).size;
          process.stdout.write(`session ${upload.sessionId}: recovered ${parts.length} parts (${formatBytes(size)}) into ${file} (${state.why})\n`);
          await indexCompletedRecording(data, upload.sessionId, file);
        }
      } catch (err) {
        failed++;
        process.stderr.write(`session ${upload.sessionId}: cannot recover: ${describeError(err)}\n`);
      }
    }
    return failed > 0 ? 1 : 0;
  },
};

function checkSessionArg(arg: string): string {
  try {
    return checkSessionId(arg);
  } catch {
    throw new CliError(`${JSON.stringify(arg)} is not a session id`);
  }
}
