// The file system calls search makes, injectable so tests can count what a search reads.
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { openFile } from '../safe-fs.js';

export interface SearchFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface SearchDirEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}

export interface SearchFs {
  open(path: string): Promise<SearchFileHandle>;
  readdir(dir: string): Promise<SearchDirEntry[]>;
}

export const nodeSearchFs: SearchFs = {
  // Never through a link planted in a log dir.
  open: (path) => openFile(path, fsConstants.O_RDONLY),
  readdir: (dir) => fsp.readdir(dir, { withFileTypes: true }),
};
