/**
 * The audit log file: one JSON line per request ({@link AuditEntry}), appended. Lines are
 * buffered and written with one `write` + `fsync` per batch: when `maxBatch` lines are waiting,
 * `flushMs` after the first waiting line, and on {@link AuditLog.close}. `-` writes to stdout
 * (no fsync).
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { auditLine, type AuditEntry } from './audit-entry.js';

/** Options of {@link AuditLog.open}. */
export interface AuditLogOptions {
  /** Lines per batch (default 64). */
  readonly maxBatch?: number;
  /** Longest a line waits before its batch is written, in milliseconds (default 200). */
  readonly flushMs?: number;
  /** Called once per failed batch write (the lines of that batch are lost). */
  readonly onError?: (error: unknown) => void;
}

/** Where the lines go. */
interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

function fileSink(handle: FileHandle): Sink {
  return {
    write: async (text) => {
      await handle.write(text);
      await handle.sync();
    },
    close: () => handle.close(),
  };
}

const stdoutSink: Sink = {
  write: (text) => new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve()))),
  close: async () => {},
};

/** An open audit log. */
export class AuditLog {
  readonly #sink: Sink;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  readonly #onError: (error: unknown) => void;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #written: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(sink: Sink, options: AuditLogOptions) {
    this.#sink = sink;
    this.#maxBatch = options.maxBatch ?? 64;
    this.#flushMs = options.flushMs ?? 200;
    this.#onError = options.onError ?? (() => {});
  }

  /** Opens `path` for appending (created with mode 0600), or stdout for `-`. */
  static async open(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    if (path === '-') return new AuditLog(stdoutSink, options);
    return new AuditLog(fileSink(await open(path, 'a', 0o600)), options);
  }

  /** Queues one entry; never throws (after close, entries are dropped). */
  readonly write = (entry: AuditEntry): void => {
    if (this.#closed) return;
    this.#pending.push(auditLine(entry));
    if (this.#pending.length >= this.#maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
  };

  /** Writes (and syncs) what is waiting; resolves once it is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.join('');
    this.#pending = [];
    if (batch !== '') {
      this.#written = this.#written.then(() => this.#sink.write(batch)).catch((error: unknown) => this.#onError(error));
    }
    return this.#written;
  }

  /** Flushes, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#written;
    await this.flush();
    this.#closed = true;
    await this.#sink.close();
  }
}
