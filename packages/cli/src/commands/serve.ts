/**
 * `dek serve`: the KMS server of `@dek/kms-server` (Alibaba KMS OpenAPI and instance API wire
 * protocols) over the local keystore, until SIGINT / SIGTERM.
 *
 * Credentials: OpenAPI access keys from `DEK_SERVE_ACCESS_KEY_ID` / `DEK_SERVE_ACCESS_KEY_SECRET`
 * (a random pair is made and printed when unset); instance-API ClientKeys registered with
 * `--client-key ID=CERT.pem`. HTTPS with `--tls-cert` / `--tls-key`, or `--dev-tls` (a
 * throwaway CA whose certificate is written to `<home>/serve-ca.pem`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDevTls, startKmsServer, type KmsServerTls } from '@dek/kms-server';
import type { Context } from '../context.js';
import { note } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { ioError } from '../io/io-error.js';
import { withKms } from '../kms.js';

/** Flags of `dek serve`. */
export interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly devTls?: boolean;
  readonly clientKey?: string[];
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw ioError(error, `cannot read ${what} '${path}'`);
  }
}

async function tlsOf(context: Context, flags: ServeFlags): Promise<KmsServerTls | undefined> {
  if (flags.devTls) {
    if (flags.tlsCert !== undefined || flags.tlsKey !== undefined) throw usageError('--dev-tls and --tls-cert/--tls-key exclude each other');
    const dev = createDevTls({ hostnames: [flags.host, 'localhost', '127.0.0.1'] });
    const caPath = join(context.home, 'serve-ca.pem');
    await writeFile(caPath, dev.caCertificate, { mode: 0o644 });
    note(context, `development TLS: clients must trust the CA certificate in ${caPath}`);
    return { cert: dev.certificate, key: dev.privateKey };
  }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw usageError('--tls-cert and --tls-key go together');
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) return undefined;
  return { cert: await readText(flags.tlsCert, 'TLS certificate'), key: await readText(flags.tlsKey, 'TLS key') };
}

async function clientKeysOf(pairs: readonly string[] | undefined): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--client-key '${pair}' is not ID=CERT.pem`, 'register a ClientKey as --client-key KAAP.xxx=client-cert.pem');
    keys[pair.slice(0, eq)] = await readText(pair.slice(eq + 1), 'ClientKey certificate');
  }
  return keys;
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw usageError(`--port '${text}' is not a port number`, 'use 0..65535 (0 picks a free port)');
  return port;
}

/** Runs `dek serve` until SIGINT / SIGTERM; exit 0 after a clean shutdown. */
export async function runServe(context: Context, flags: ServeFlags): Promise<void> {
  if (context.kms !== 'local') throw usageError(`dek serve serves the local keystore; --kms ${context.kms} cannot be served`, 'run it without --kms');
  const port = portOf(flags.port);
  const tls = await tlsOf(context, flags);
  const clientKeys = await clientKeysOf(flags.clientKey);
  const envId = process.env['DEK_SERVE_ACCESS_KEY_ID'];
  const envSecret = process.env['DEK_SERVE_ACCESS_KEY_SECRET'];
  if ((envId === undefined) !== (envSecret === undefined)) {
    throw usageError('DEK_SERVE_ACCESS_KEY_ID and DEK_SERVE_ACCESS_KEY_SECRET go together');
  }
  const accessKeyId = envId ?? `LTAI${randomBytes(10).toString('hex')}`;
  const accessKeySecret = envSecret ?? randomBytes(24).toString('base64url');

  await withKms(context, { init: 'never' }, async ({ local }) => {
    if (local === undefined) throw new CliError('DEK_UNAVAILABLE', 'only the local keystore can back the server', { exitCode: EXIT.USAGE });
    const server = await startKmsServer({ kms: local, host: flags.host, port, accessKeys: { [accessKeyId]: accessKeySecret }, clientKeys, ...(tls ? { tls } : {}) });
    const lines = [`KMS server for ${context.home} listening on ${server.url}`];
    if (envId === undefined) lines.push(`OpenAPI access key id ${accessKeyId}, secret ${accessKeySecret} (made for this run; set DEK_SERVE_ACCESS_KEY_ID/SECRET to choose them)`);
    else lines.push(`OpenAPI access key id ${accessKeyId} (from DEK_SERVE_ACCESS_KEY_ID)`);
    if (Object.keys(clientKeys).length > 0) lines.push(`instance API ClientKeys: ${Object.keys(clientKeys).join(', ')}`);
    if (tls === undefined && flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
      lines.push('warning: plain HTTP on a non-loopback address; use --tls-cert/--tls-key or --dev-tls');
    }
    process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.stderr.write('dek: stopping the KMS server\n');
        resolveStop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
  });
}
