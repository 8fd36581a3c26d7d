/**
 * Where `dek` writes and what it says about it: devices, FIFOs, /dev/stdout and symbolic links
 * as `-o`; a directory refused before any KMS call; temporary files of killed runs removed by the
 * next run; truthful messages when stdout got part of the output (Ctrl-C, a full device); a
 * closed pipe exits 141 without a message. Drives the BUILT binary as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, dek, ensureBuilt, startDek, tempDir, waitFor } from './support/dek.js';

let root: string;
let home: string;
let work: string;
const small = Buffer.from('hello, output\n');
const big = randomBytes(3 << 20); // 3 MiB: more than a pipe buffer and than one 1 MiB write

function at(name: string): string {
  return join(work, name);
}

/** dek's temporary files in `directory`. */
function temporaryFiles(directory = work): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.dek-tmp'));
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'close')) as [number | null];
  return code;
}

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('output');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('small.txt'), small);
  writeFileSync(at('big.bin'), big);
  expect((await dek(['init'], { home })).code).toBe(0);
  expect((await dek(['encrypt', '-o', at('small.dek'), at('small.txt')], { home })).code).toBe(0);
  expect((await dek(['encrypt', '-o', at('big.dek'), at('big.bin')], { home })).code).toBe(0);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('special files as -o', () => {
  it('/dev/null and /dev/stdout are written to without --force', async () => {
    const toNull = await dek(['decrypt', '-o', '/dev/null', at('small.dek')], { home });
    expect(toNull.stderr).toBe('');
    expect(toNull.code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    const encrypted = await dek(['encrypt', '-o', '/dev/null', at('small.txt')], { home });
    expect(encrypted.code).toBe(0);

    const toStdout = await dek(['decrypt', '-o', '/dev/stdout', at('small.dek')], { home });
    expect(toStdout.stderr).toBe('');
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout.equals(small)).toBe(true);
  });

  it('a FIFO is written to, also with --force: it stays a FIFO and its reader gets the plaintext', async () => {
    const fifo = at('out.fifo');
    const made = spawn('mkfifo', [fifo]);
    expect(await exitCode(made)).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    const read: Buffer[] = [];
    reader.stdout.on('data', (chunk: Buffer) => read.push(chunk));
    try {
      const r = await dek(['decrypt', '--force', '-o', fifo, at('small.dek')], { home });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(await exitCode(reader)).toBe(0);
      expect(Buffer.concat(read).equals(small)).toBe(true);
    } finally {
      reader.kill('SIGKILL');
    }
  });

  it('a Unix socket is connected to and written to; it stays a socket', async () => {
    const path = at('out.sock');
    const received: Buffer[] = [];
    const server = createServer((connection) => connection.on('data', (chunk: Buffer) => received.push(chunk)));
    server.listen(path);
    await once(server, 'listening');
    try {
      const r = await dek(['decrypt', '-o', path, at('small.dek')], { home });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await waitFor(() => Buffer.concat(received).length >= small.length, 'the plaintext on the socket');
      expect(Buffer.concat(received).equals(small)).toBe(true);
      expect(lstatSync(path).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it('a symbolic link: refused without --force; with it the file it points to is replaced, the link stays', async () => {
    writeFileSync(at('target.txt'), 'old');
    symlinkSync('target.txt', at('link.txt'));
    const refused = await dek(['decrypt', '-o', at('link.txt'), at('small.dek')], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dek: DEK_EXISTS: /);

    const forced = await dek(['decrypt', '--force', '-o', at('link.txt'), at('small.dek')], { home });
    expect(forced.code).toBe(0);
    expect(lstatSync(at('link.txt')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('link.txt'))).toBe('target.txt');
    expect(readFileSync(at('target.txt')).equals(small)).toBe(true);
    expect(temporaryFiles()).toEqual([]);
  });

  it('a directory (or a link to one) exits 2 with DEK_IO before any KMS call or read, with or without --force', async () => {
    mkdirSync(at('a-dir'));
    symlinkSync('a-dir', at('dir-link'));
    const noKeystore = join(root, 'no-keystore'); // a KMS call would fail with DEK_NO_KEYSTORE
    for (const args of [
      ['decrypt', '-o', at('a-dir'), at('small.dek')],
      ['decrypt', '--force', '-o', at('a-dir'), at('small.dek')],
      ['encrypt', '--force', '-o', at('dir-link'), at('small.txt')],
      ['rewrap', '--force', '-o', at('a-dir'), at('small.dek')],
    ]) {
      const r = await dek(args, { home: noKeystore });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^dek: DEK_IO: the output '.*' is a directory\n/);
    }
    expect(readdirSync(at('a-dir'))).toEqual([]);
  });

  it('a missing directory or a dangling link exits 2 before any KMS call', async () => {
    symlinkSync('nowhere.txt', at('dangling'));
    const noKeystore = join(root, 'no-keystore');
    const missing = await dek(['decrypt', '-o', at('no/such/dir/out'), at('small.dek')], { home: noKeystore });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^dek: DEK_IO: the directory of the output .* does not exist/);
    const dangling = await dek(['decrypt', '--force', '-o', at('dangling'), at('small.dek')], { home: noKeystore });
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toMatch(/^dek: DEK_IO: .* symbolic link to a file that does not exist/);
    expect(existsSync(at('nowhere.txt'))).toBe(false);
  });
});

describe('temporary files of killed runs', () => {
  it('a run killed with SIGKILL leaves a pid-tagged temporary file; the next run in that directory removes it', async () => {
    const dir = join(work, 'killed');
    mkdirSync(dir);
    const child = startDek(['decrypt', '-o', join(dir, 'big.out')], { home });
    child.stdin.on('error', () => undefined);
    child.stdin.write(readFileSync(at('big.dek')).subarray(0, 2 << 20)); // 2 of 3 MiB, and no end
    await waitFor(() => temporaryFiles(dir).some((name) => statSync(join(dir, name)).size > 0), 'plaintext in the temporary file');
    child.kill('SIGKILL');
    await exitCode(child);
    const [left] = temporaryFiles(dir);
    expect(left).toMatch(new RegExp(`^\\.big\\.out\\.[0-9a-f]{8}\\.${child.pid}\\.[0-9]+\\.[0-9a-f]{12}\\.dek-tmp$`));

    // Look-alikes that must stay: a symbolic link with a dead run's name, another host's file.
    const [, host, pid, start, random] = /^\.big\.out\.([0-9a-f]{8})\.(\d+)\.(\d+)\.([0-9a-f]{12})\.dek-tmp$/.exec(left!)!;
    expect(host).toBe(createHash('sha256').update(hostname()).digest('hex').slice(0, 8));
    const linkName = `.x.${host}.${pid}.${start}.${random}.dek-tmp`;
    symlinkSync(join(dir, 'big.out.keep'), join(dir, linkName));
    writeFileSync(join(dir, 'big.out.keep'), 'keep');
    const otherHost = `.y.00000000.${pid}.${start}.${random}.dek-tmp`;
    writeFileSync(join(dir, otherHost), 'another host');

    const next = await dek(['decrypt', '-o', join(dir, 'small.out'), at('small.dek')], { home });
    expect(next.code).toBe(0);
    expect(temporaryFiles(dir).sort()).toEqual([linkName, otherHost].sort());
    expect(readFileSync(join(dir, 'big.out.keep'), 'utf8')).toBe('keep');
    expect(existsSync(join(dir, 'big.out'))).toBe(false);
  });

  it("a live run's temporary file is not removed by another run", async () => {
    const dir = join(work, 'live');
    mkdirSync(dir);
    const ciphertext = readFileSync(at('big.dek'));
    const child = startDek(['decrypt', '-o', join(dir, 'big.out')], { home });
    child.stdin.write(ciphertext.subarray(0, 1 << 20));
    await waitFor(() => temporaryFiles(dir).length === 1, 'the temporary file');
    const other = await dek(['decrypt', '-o', join(dir, 'small.out'), at('small.dek')], { home });
    expect(other.code).toBe(0);
    expect(temporaryFiles(dir)).toHaveLength(1);
    child.stdin.end(ciphertext.subarray(1 << 20));
    expect(await exitCode(child)).toBe(0);
    expect(readFileSync(join(dir, 'big.out')).equals(big)).toBe(true);
  });
});

describe('what dek says about stdout', () => {
  it('Ctrl-C after output went to a pipe says those bytes are incomplete (exit 130)', async () => {
    const child = startDek(['decrypt'], { home });
    child.stdin.on('error', () => undefined);
    let received = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (received += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.write(readFileSync(at('big.dek')).subarray(0, 2 << 20));
    await waitFor(() => received > 0, 'plaintext on stdout');
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(130);
    expect(stderr).not.toContain('no output was written');
    // Node's child_process pipes are socket pairs; a shell pipe would read "(a pipe)".
    expect(stderr).toMatch(/^dek: interrupted \(SIGINT\); the \d+ bytes written to stdout \(a socket\) are incomplete\n$/);
  });

  it('a full device as stdout: DEK_IO exit 1, says what reached stdout, no errno code twice', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, 'decrypt', at('big.dek')], { env: { ...process.env, DEK_HOME: home }, stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await exitCode(child)).toBe(1);
      expect(stderr).toMatch(/^dek: DEK_IO: cannot write the output: no space left on device; nothing was written to stdout \(a device\)\n$/);
    } finally {
      closeSync(full);
    }
  });

  it('a full device as -o: DEK_IO exit 1 naming it', async () => {
    const r = await dek(['decrypt', '-o', '/dev/full', at('big.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_IO: cannot write the output: no space left on device; nothing was written to '\/dev\/full' \(a character device\)\n$/);
    expect(r.stderr).not.toContain('ENOSPC');
  });

  it('a reader that closes the pipe early: no message, exit 141 (as cat)', async () => {
    for (const args of [['decrypt', at('big.dek')], ['encrypt', at('big.bin')]]) {
      const child = startDek(args, { home });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const first = await once(child.stdout, 'data');
      expect((first[0] as Buffer).length).toBeGreaterThan(0);
      child.stdout.destroy();
      expect(await exitCode(child), args.join(' ')).toBe(141);
      expect(stderr).toBe('');
    }
  });

  /** Runs `dek <args> | <reader>` in bash; resolves to dek's exit status and what the pipeline printed on stderr. */
  async function shellPipe(args: string, reader: string): Promise<{ status: string; stderr: string }> {
    const shell = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" ${args} | ${reader}; echo "\${PIPESTATUS[0]}"`], { env: { ...process.env, DEK_HOME: home } });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitCode(shell)).toBe(0);
    return { status: stdout.trim(), stderr };
  }

  it('the same through a shell pipe (a FIFO): dek decrypt big.dek | head -c 10', async () => {
    expect(await shellPipe(`decrypt "${at('big.dek')}"`, 'head -c 10 > /dev/null')).toEqual({ status: '141', stderr: '' });
  });

  it('also for a listing printed after the reader is gone: dek key list | true', async () => {
    expect(await shellPipe('key list --json', 'true')).toEqual({ status: '141', stderr: '' });
  });
});
