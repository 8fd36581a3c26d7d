/**
 * The audit log file: one JSON line per request ({@link AuditEntry}), appended. Lines are
 * buffered and written with one `write` + `fsync` per batch: when `maxBatch` lines are waiting,
 * `flushMs` after the first waiting line, and on {@link AuditLog.close}. `-` writes to stdout
 * (no fsync). {@link AuditLog.reopen} starts a new file at the same path, for log rotation.
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

const openAppend = (path: string): Promise<FileHandle> => open(path, 'a', 0o600);

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
  readonly #path: string;
  #sink: Sink;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  readonly #onError: (error: unknown) => void;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #written: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(path: string, sink: Sink, options: AuditLogOptions) {
    this.#path = path;
    this.#sink = sink;
    this.#maxBatch = options.maxBatch ?? 64;
    this.#flushMs = options.flushMs ?? 200;
    this.#onError = options.onError ?? (() => {});
  }

  /** Opens `path` for appending (created with mode 0600), or stdout for `-`. */
  static async open(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    return new AuditLog(path, path === '-' ? stdoutSink : fileSink(await openAppend(path)), options);
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

  /**
   * Flushes, then opens the path again (a file renamed away by log rotation keeps what it has;
   * new lines go to a new file). Nothing to do for stdout.
   */
  reopen(): Promise<void> {
    void this.flush();
    if (this.#path === '-' || this.#closed) return this.#written;
    this.#written = this.#written
      .then(async () => {
        const previous = this.#sink;
        this.#sink = fileSink(await openAppend(this.#path));
        await previous.close();
      })
      .catch((error: unknown) => this.#onError(error));
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
