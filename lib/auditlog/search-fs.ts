// The file system calls search makes, injectable so tests can count what a search reads.
import { promises as fsp } from 'node:fs';

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
  open: (path) => fsp.open(path, 'r'),
  readdir: (dir) => fsp.readdir(dir, { withFileTypes: true }),
};
