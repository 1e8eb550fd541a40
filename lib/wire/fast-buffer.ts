// Node's Buffer has undocumented but long-stable fast UTF-8 helpers that skip argument juggling;
// they exist on every Node version we support (>= 20).

interface FastUtf8 {
  utf8Write(text: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
}

export function utf8Write(buf: Buffer, text: string, offset: number, length: number): number {
  return (buf as unknown as FastUtf8).utf8Write(text, offset, length);
}

export function utf8Slice(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as FastUtf8).utf8Slice(start, end);
}
