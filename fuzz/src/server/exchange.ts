/**
 * Sends one HTTP request to the fuzzed server and judges the transport: a dropped connection, no
 * answer, a 5xx status or a second or more is a finding. Header values are cleaned to what
 * Node's HTTP client can send (the server's own parsing is what is fuzzed, not Node's).
 *
 * @module
 */
import { request, type Agent, type IncomingMessage } from 'node:http';
import { HANG_LIMIT_MS, type Finding } from '../oracle.js';

/** A request to send. */
export interface HttpRequest {
  readonly method: string;
  /** Path and query, e.g. `/?Action=...`. */
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

/** The answer. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A header value Node's client accepts: tab, printable ASCII and Latin-1 only. */
export function cleanHeaderValue(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

/** A header name Node's client accepts (an HTTP token), lowercase; empty when nothing is left. */
export function cleanHeaderName(name: string): string {
  return name.toLowerCase().replace(/[^!#$%&'*+\-.^_`|~0-9a-z]/g, '');
}

/**
 * Sends `req` to `port`; resolves with the answer or a transport finding (neither when Node's
 * client refuses to send the request at all).
 */
export function exchange(port: number, agent: Agent, req: HttpRequest): Promise<{ response?: HttpResponse; finding?: Finding; elapsedMs: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of req.headers) {
      const n = cleanHeaderName(name);
      if (n !== '' && n !== 'content-length' && n !== 'transfer-encoding' && n !== 'connection') headers[n] = cleanHeaderValue(value);
    }
    headers['content-length'] = String(req.body.length);
    const done = (result: { response?: HttpResponse; finding?: Finding }): void => {
      const elapsedMs = performance.now() - start;
      if (result.finding === undefined && elapsedMs >= HANG_LIMIT_MS) {
        resolve({ ...result, finding: { kind: 'hang', message: `the server took ${elapsedMs.toFixed(0)} ms to answer` }, elapsedMs });
      } else resolve({ ...result, elapsedMs });
    };
    let r: ReturnType<typeof request>;
    try {
      r = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent }, (res) => onResponse(res));
    } catch {
      // Node's client refused to send it (e.g. a bad method token): not the server's business.
      resolve({ elapsedMs: 0 });
      return;
    }
    function onResponse(res: IncomingMessage): void {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => done({ finding: { kind: 'server-failure', message: `response stream failed: ${error.message}` } }));
      res.on('end', () => {
        const response = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
        if (response.status >= 500) {
          // The status and the error code; not the body (its request id differs every time).
          const text = response.body.toString('latin1');
          const code = /"Code":"([^"]*)"/.exec(text)?.[1] ?? /[A-Z][A-Za-z]+(?:\.[A-Za-z]+)*/.exec(text)?.[0] ?? '';
          done({ response, finding: { kind: 'server-failure', message: `status ${response.status} ${code}` } });
        } else done({ response });
      });
    }
    r.setTimeout(5000, () => r.destroy(new Error('no answer within 5 s')));
    r.on('error', (error) => done({ finding: { kind: 'server-failure', message: `request failed: ${error.message}` } }));
    r.end(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.length));
  });
}
