// Where the CLI keeps its data: recordings through the FileUploader (<data>/records/<sid>.tar) and
// audit events through the FileLog (<data>/log/...).
import * as path from 'node:path';

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
