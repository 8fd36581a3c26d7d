/**
 * Runs `dek` with an argument list and returns the exit code: commander errors become usage
 * errors (exit 2) in the same `dek: CODE: message` form as every other failure.
 *
 * @module
 */
import { CommanderError, type Command } from 'commander';
import { EXIT } from './errors.js';
import { buildProgram } from './program.js';
import { stdoutWriterUsed } from './io/stdout.js';
import { reportError } from './report.js';

function printReport(error: unknown): number {
  const report = reportError(error, process.env['DEK_DEBUG'] === '1');
  process.stderr.write(report.lines.map((line) => `${line}\n`).join(''));
  return report.exitCode;
}

/**
 * A failed write to stdout outside an output pipeline (help, tables, JSON): a closed pipe exits
 * 141 silently, anything else is reported (exit 1). An output pipeline reports its own.
 */
function onStdoutError(error: unknown): void {
  if (stdoutWriterUsed() && (error as { code?: unknown }).code !== 'EPIPE') return;
  process.exit(printReport(error));
}

/** The command path named by `argv` (e.g. `dek key create`), for the help hint. */
function commandPath(program: Command, argv: readonly string[]): string {
  const names = ['dek'];
  let current = program;
  for (const token of argv) {
    if (token.startsWith('-')) continue;
    const next = current.commands.find((command) => command.name() === token);
    if (!next) break;
    names.push(token);
    current = next;
  }
  return names.join(' ');
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', onStdoutError);
  const program = buildProgram();
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
      // Help asked for (`dek help x`: exit code 0), or shown because a sub-command is missing
      // (`dek key`: on stderr, exit code 1 from commander, a usage error here).
      if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      const message = error.message.replace(/^error: /, '');
      process.stderr.write(`dek: DEK_USAGE: ${message}\ndek: hint: see '${commandPath(program, argv)} --help'\n`);
      return EXIT.USAGE;
    }
    return printReport(error);
  }
}
