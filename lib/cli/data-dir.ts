// Where the CLI keeps its data: recordings through the FileUploader (<data>/records/<sid>.tar) and
// audit events through the FileLog (<data>/log/...).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CliError } from './errors.js';

export const DEFAULT_DATA_DIR = 'auditcast-data';

export interface DataDir {
  root: string;
  records: string;
  log: string;
}

export function resolveDataDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): DataDir {
  const root = path.resolve(option ?? env.AUDITCAST_DATA_DIR ?? DEFAULT_DATA_DIR);
  return { root, records: path.join(root, 'records'), log: path.join(root, 'log') };
}

/**
 * The data dir for commands that only read it (ls, search). One named with --data-dir or
 * AUDITCAST_DATA_DIR must exist: a typo would otherwise list nothing and look like an empty
 * archive. The default ./auditcast-data may be missing (nothing recorded yet).
 */
export async function existingDataDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DataDir> {
  const data = resolveDataDir(option, env);
  if (option === undefined && env.AUDITCAST_DATA_DIR === undefined) return data;
  let stat;
  try {
    stat = await fs.stat(data.root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`data dir ${data.root} does not exist (from ${option !== undefined ? '--data-dir' : 'AUDITCAST_DATA_DIR'})`);
    throw err;
  }
  if (!stat.isDirectory()) throw new CliError(`data dir ${data.root} is not a directory`);
  return data;
}
