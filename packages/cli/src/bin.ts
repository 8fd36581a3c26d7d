#!/usr/bin/env node
/**
 * The `dek` executable.
 *
 * @module
 */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2));
