// auditcast command line: dispatches to one module per command and turns every failure into one
// line on stderr (exit 1 for bad input, 2 for bad usage); --debug adds the stack trace.
import { createRequire } from 'node:module';
import type { Command } from './command.js';
import { describeError, EXIT_USAGE, exitCodeOf, UsageError } from './errors.js';
import { benchCommand } from './commands/bench.js';
import { exportCommand } from './commands/export.js';
import { grepCommand } from './commands/grep.js';
import { indexCommand } from './commands/index-recordings.js';
import { importCommand } from './commands/import.js';
import { lsCommand } from './commands/ls.js';
import { playCommand } from './commands/play.js';
import { recordCommand } from './commands/record.js';
import { recoverCommand } from './commands/recover.js';
import { searchCommand } from './commands/search.js';
import { serveCommand } from './commands/serve.js';
import { verifyCommand } from './commands/verify.js';

export const commands: readonly Command[] = [
  recordCommand, recoverCommand, playCommand, exportCommand, importCommand, lsCommand, searchCommand, verifyCommand, benchCommand,
  indexCommand, grepCommand, serveCommand,
];

function version(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: auditcast COMMAND [OPTIONS]',
    '',
    'Record, store, search and replay terminal sessions and audit events in Teleport\'s formats.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run \'auditcast COMMAND --help\' for the options of a command.',
    'Data lives in ./auditcast-data unless --data-dir or AUDITCAST_DATA_DIR says otherwise.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // EPIPE on stdout surfaces through the write that failed; keep the stream's own error event quiet.
  process.stdout.on('error', () => {});
  const [name, ...rest] = argv;
  let command: Command | undefined;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      if (name === 'help' && rest[0]) {
        const target = commands.find((c) => c.name === rest[0]);
        if (!target) throw new UsageError(`unknown command ${JSON.stringify(rest[0])}`);
        process.stdout.write(target.help);
        return 0;
      }
      (name === undefined ? process.stderr : process.stdout).write(mainHelp());
      return name === undefined ? EXIT_USAGE : 0;
    }
    if (name === '--version' || name === '-V') {
      process.stdout.write(`auditcast ${version()}\n`);
      return 0;
    }
    command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    // --help anywhere before a '--' separator shows the command's help.
    const sep = rest.indexOf('--');
    const own = sep < 0 ? rest : rest.slice(0, sep);
    if (own.includes('--help') || own.includes('-h')) {
      process.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (err) {
    // The reader of our output went away (`| head`): not an error of ours.
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return 0;
    const prefix = command ? `auditcast ${command.name}` : 'auditcast';
    process.stderr.write(`${prefix}: ${describeError(err)}\n`);
    if (err instanceof UsageError) {
      process.stderr.write(`Run '${command ? `auditcast ${command.name} --help` : 'auditcast --help'}' for usage.\n`);
    }
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}
