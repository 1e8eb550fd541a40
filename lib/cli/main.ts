// auditcast command line: dispatches to one module per command and turns every failure into one
// line on stderr (exit 1 for bad input, 2 for bad usage); --debug adds the stack trace.
import { createRequire } from 'node:module';
import type { Command } from './command.js';
import { describeError, EXIT_USAGE, exitCodeOf, UsageError } from './errors.js';
// Each command's module (and what it pulls in: the AWS SDK, pg, xterm, SQLite...) loads only when
// that command runs, so `auditcast export` does not pay for `serve`: start-up is most of a short run.
const commandModules: Readonly<Record<string, () => Promise<Command>>> = {
  record: async () => (await import('./commands/record.js')).recordCommand,
  recover: async () => (await import('./commands/recover.js')).recoverCommand,
  play: async () => (await import('./commands/play.js')).playCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  ls: async () => (await import('./commands/ls.js')).lsCommand,
  search: async () => (await import('./commands/search.js')).searchCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  index: async () => (await import('./commands/index-recordings.js')).indexCommand,
  grep: async () => (await import('./commands/grep.js')).grepCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
};

async function loadCommand(name: string): Promise<Command> {
  const load = Object.hasOwn(commandModules, name) ? commandModules[name] : undefined;
  if (!load) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return load();
}

function version(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function mainHelp(): Promise<string> {
  const commands = await Promise.all(Object.keys(commandModules).map(loadCommand));
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
        process.stdout.write((await loadCommand(rest[0])).help);
        return 0;
      }
      (name === undefined ? process.stderr : process.stdout).write(await mainHelp());
      return name === undefined ? EXIT_USAGE : 0;
    }
    if (name === '--version' || name === '-V') {
      process.stdout.write(`auditcast ${version()}\n`);
      return 0;
    }
    command = await loadCommand(name);
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
