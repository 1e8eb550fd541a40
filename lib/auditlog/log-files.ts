// The daily log files a search may need: every `<day>.log` of the searched server dirs whose day
// lies within one rotation period of the range, in the order of the search.
import { basename, join } from 'node:path';
import { LogfileExt } from './constants.js';
import { parseFileTime } from './file-time.js';
import type { SearchFs } from './search-fs.js';
import type { EventOrder } from './search-types.js';

export interface LogFile {
  path: string;
  /** Name of the file in keys: its server dir's name and its own (the full path if that repeats). */
  id: string;
  dayMs: number;
}

export interface LogFileSet {
  fs: SearchFs;
  /** Directories holding daily files (one per auth server). */
  dirs: readonly string[];
  rotationPeriodMs: number;
}

export async function listLogFiles(set: LogFileSet, fromMs: number, toMs: number, order: EventOrder): Promise<LogFile[]> {
  const files: LogFile[] = [];
  for (const dir of set.dirs) {
    let entries: Awaited<ReturnType<SearchFs['readdir']>>;
    try {
      entries = await set.fs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // nothing written there yet
      throw err;
    }
    for (const entry of entries) {
      if (entry.isDirectory() || !entry.name.endsWith(LogfileExt)) continue;
      let day: number;
      try {
        day = parseFileTime(entry.name).getTime();
      } catch {
        continue; // not one of ours: Teleport logs and skips it
      }
      if (day > fromMs - set.rotationPeriodMs && day < toMs + set.rotationPeriodMs) {
        files.push({ path: join(dir, entry.name), id: `${basename(dir)}/${entry.name}`, dayMs: day });
      }
    }
  }
  // two searched dirs with one name (different parents): their files go by full path
  const ids = new Map<string, number>();
  for (const f of files) ids.set(f.id, (ids.get(f.id) ?? 0) + 1);
  for (const f of files) if (ids.get(f.id)! > 1) f.id = f.path;
  files.sort((a, b) => (order === 'asc' ? a.dayMs - b.dayMs : b.dayMs - a.dayMs) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}
