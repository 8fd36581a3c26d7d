import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const fixtures = new URL('./fixtures/', import.meta.url);

/** A kms-child.mjs process: its committed lines as they arrive, and its end. */
export interface Child {
  readonly pid: number;
  /** Lines printed after "ready" (ids of committed changes). */
  readonly lines: string[];
  /** Resolves once `n` lines have arrived (or the child ended). */
  waitForLines(n: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts fixtures/kms-child.mjs on plain node, running the TypeScript sources unbuilt. */
export function startChild(...args: string[]): Child {
  const env = { ...process.env };
  delete env.DEK_MASTER_KEY;
  delete env.NODE_OPTIONS;
  const proc = spawn(
    process.execPath,
    [
      '--conditions=@dek/source',
      '--import',
      pathToFileURL(fileURLToPath(new URL('register-ts.mjs', fixtures))).href,
      fileURLToPath(new URL('kms-child.mjs', fixtures)),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  const lines: string[] = [];
  const waiters: Array<{ n: number; done: () => void }> = [];
  let ended = false;
  const notify = () => {
    for (const w of [...waiters]) {
      if (ended || lines.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done();
      }
    }
  };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line !== 'ready') lines.push(line);
    notify();
  });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) => {
    proc.on('close', (code, signal) => {
      ended = true;
      notify();
      done({ code, signal, stderr });
    });
  });
  return {
    pid: proc.pid!,
    lines,
    waitForLines: (n) => new Promise<void>((done) => {
      waiters.push({ n, done });
      notify();
    }),
    exited,
    kill: (signal) => proc.kill(signal),
  };
}
