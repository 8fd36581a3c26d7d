/**
 * `pnpm demo`: the main job end to end with the real `dek` binary and the local KMS. In a fresh
 * temporary DEK_HOME (or the one given with `--home DIR`), it runs `dek init`, encrypts a
 * generated sample file, decrypts it, checks the bytes are identical, and prints the key id and
 * key version used and the sizes. Exit code 0 only when the round trip matched.
 *
 * Usage: node packages/cli/dist/demo.js [--home DIR] [--size BYTES]
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./launcher.cjs', import.meta.url));

interface DemoArgs {
  readonly home: string | undefined;
  readonly size: number;
}

function parseArgs(argv: readonly string[]): DemoArgs {
  let home: string | undefined;
  let size = 3 * 1024 * 1024 + 12_345; // several 16 KiB chunks and a short final one
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--home' && value !== undefined) {
      home = resolve(value);
      i++;
    } else if (arg === '--size' && value !== undefined && /^\d+$/.test(value)) {
      size = Number(value);
      i++;
    } else {
      process.stderr.write('usage: node packages/cli/dist/demo.js [--home DIR] [--size BYTES]\n');
      process.exit(2);
    }
  }
  return { home, size };
}

/** Runs `dek ...args`, echoing the command and its output; exits on failure. */
function dek(home: string, cwd: string, args: readonly string[]): string {
  process.stdout.write(`$ dek ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, DEK_HOME: home }, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`.trimEnd();
  if (output && !args.includes('--json')) process.stdout.write(`${output.replace(/^/gm, '  ')}\n`);
  if (result.status !== 0) {
    if (args.includes('--json')) process.stdout.write(`${output.replace(/^/gm, '  ')}\n`);
    throw new Error(`dek ${args[0] ?? ''} failed with exit code ${String(result.status)}`);
  }
  return result.stdout;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const home = args.home ?? mkdtempSync(join(tmpdir(), 'dek-demo-home-'));
  const work = mkdtempSync(join(tmpdir(), 'dek-demo-files-'));
  try {
    process.stdout.write(`dek demo: DEK_HOME=${home}\n          files in ${work}\n\n`);
    const sample = randomBytes(args.size);
    writeFileSync(join(work, 'sample.bin'), sample);

    dek(home, work, ['init']);
    dek(home, work, ['encrypt', '-k', 'alias/default', '-c', 'purpose=demo', '-o', 'sample.bin.dek', 'sample.bin']);
    const info = JSON.parse(dek(home, work, ['inspect', '--json', 'sample.bin.dek'])) as {
      suite: string;
      headerLength: number;
      slots: { kms: string; keyId: string; keyVersionId?: string }[];
    };
    dek(home, work, ['decrypt', '-o', 'sample.out', 'sample.bin.dek']);

    const roundTrip = readFileSync(join(work, 'sample.out'));
    const ciphertextSize = statSync(join(work, 'sample.bin.dek')).size;
    const same = roundTrip.equals(sample);
    const slot = info.slots[0];
    process.stdout.write(
      [
        '',
        `kms:          ${slot?.kms ?? '?'}`,
        `key id:       ${slot?.keyId ?? '?'} (alias/default)`,
        `key version:  ${slot?.keyVersionId ?? '?'}`,
        `suite:        ${info.suite}`,
        `plaintext:    ${sample.length} bytes`,
        `ciphertext:   ${ciphertextSize} bytes (+${ciphertextSize - sample.length}: header ${info.headerLength}, salt and commitment 56, 16 bytes per 16 KiB chunk)`,
        `round trip:   ${same ? 'OK, identical bytes' : 'MISMATCH'}`,
        '',
      ].join('\n'),
    );
    return same ? 0 : 1;
  } catch (error) {
    process.stderr.write(`dek demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (args.home === undefined) rmSync(home, { recursive: true, force: true });
  }
}

process.exitCode = main();
