/**
 * `@dek/cli`: the `dek` command line, also callable from code.
 *
 * @packageDocumentation
 */
export { runCli } from './cli.js';
export { buildProgram } from './program.js';
export { EXIT, CliError, type ExitCode, type CliErrorCode } from './errors.js';
export { reportError, type ErrorReport } from './report.js';
