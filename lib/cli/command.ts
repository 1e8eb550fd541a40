// The shape of a command module.
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full --help text. */
  help: string;
  /** Runs the command; resolves to the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

export function helpText(usage: string, description: string, options: readonly [string, string][]): string {
  const width = Math.max(...options.map(([flag]) => flag.length), 16);
  const common: [string, string][] = [
    ['--data-dir DIR', 'data directory (default $AUDITCAST_DATA_DIR or ./auditcast-data)'],
    ['--debug', 'print stack traces on errors'],
    ['-h, --help', 'show this help'],
  ];
  const lines = [...options, ...common].map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
  return `Usage: ${usage}\n\n${description}\n\nOptions:\n${lines.join('\n')}\n`;
}
