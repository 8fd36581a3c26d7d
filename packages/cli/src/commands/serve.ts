/**
 * `dek serve`: the KMS server of `@dek/kms-server` (Alibaba KMS OpenAPI, Alibaba KMS instance API
 * and AWS KMS wire protocols, on one port) over the local keystore, until SIGINT / SIGTERM.
 *
 * Credentials: the OpenAPI AccessKey pair `--access-key-id` (or `DEK_SERVE_ACCESS_KEY_ID`) with
 * `DEK_SERVE_ACCESS_KEY_SECRET`; the AWS pair `--aws-access-key-id` (or
 * `DEK_SERVE_AWS_ACCESS_KEY_ID`) with `DEK_SERVE_AWS_SECRET_ACCESS_KEY`, for `--aws-region`
 * (default `us-east-1`) and `--aws-account-id` (default `000000000000`). Secrets come from the
 * environment only; a missing id or secret is made at random for the run and printed.
 * Instance-API ClientKeys are registered with `--client-key ID=CERT.pem`. HTTPS with
 * `--tls-cert` / `--tls-key`, or `--dev-tls` (a throwaway CA whose certificate is written to
 * `<home>/serve-ca.pem`).
 *
 * `--policy FILE` limits what each credential may do (RAM / IAM policy documents by credential
 * id, see @dek/kms-server's README); the file is checked at start (exit 2 naming its line) and
 * read again on SIGHUP (a bad new file keeps the old policy). `--audit FILE` (or `-` for stdout)
 * appends one JSON line per request; SIGHUP reopens it (log rotation).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog, createDevTls, PolicyFileError, PolicySet, startKmsServer, type KmsServerTls } from '@dek/kms-server';
import type { Context } from '../context.js';
import { note } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { ioError } from '../io/io-error.js';
import { withKms } from '../kms.js';
import { printLines } from '../print.js';

/** Flags of `dek serve`. */
export interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly devTls?: boolean;
  readonly clientKey?: string[];
  /** OpenAPI AccessKeyId (its secret: `DEK_SERVE_ACCESS_KEY_SECRET`). */
  readonly accessKeyId?: string;
  /** AWS access key id (its secret: `DEK_SERVE_AWS_SECRET_ACCESS_KEY`). */
  readonly awsAccessKeyId?: string;
  readonly awsRegion: string;
  readonly awsAccountId: string;
  /** Policy file: credential id -> RAM / IAM policy document. */
  readonly policy?: string;
  /** Audit log file, or `-` for stdout. */
  readonly audit?: string;
}

/** One credential pair the server accepts, and whether each half was made for this run. */
interface Credential {
  readonly id: string;
  readonly secret: string;
  readonly madeId: boolean;
  readonly madeSecret: boolean;
}

/**
 * The pair from `flagId` (else the variable `idVar`) and the variable `secretVar`; a missing half
 * is made at random. A secret without an id is a usage error.
 */
function credentialOf(flagId: string | undefined, option: string, idVar: string, secretVar: string, makeId: () => string): Credential {
  if (flagId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(flagId)) throw usageError(`${option} '${flagId}' is not an access key id`, 'use 1..128 printable characters without spaces');
  const envId = process.env[idVar] || undefined;
  const secret = process.env[secretVar] || undefined;
  const id = flagId ?? envId;
  if (id === undefined && secret !== undefined) throw usageError(`${secretVar} is set but no access key id is given`, `give ${option} or set ${idVar}`);
  return { id: id ?? makeId(), secret: secret ?? randomBytes(30).toString('base64url'), madeId: id === undefined, madeSecret: secret === undefined };
}

function describeCredential(dialect: string, credential: Credential, idVar: string, secretVar: string): string {
  if (!credential.madeSecret) return `${dialect}: access key id ${credential.id} (secret from ${secretVar})`;
  const made = credential.madeId ? 'both made for this run' : 'secret made for this run';
  return `${dialect}: access key id ${credential.id}, secret ${credential.secret} (${made}; set ${idVar}/${secretVar} to choose them)`;
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

/** The policy file at `path`, checked whole; a usage error naming the line of its first problem. */
async function policyOf(path: string): Promise<PolicySet> {
  const text = await readText(path, 'policy file');
  try {
    return PolicySet.parse(text);
  } catch (error) {
    if (error instanceof PolicyFileError) throw usageError(`policy file '${path}', ${error.message}`, 'see "Policies" in dek serve --help');
    throw error;
  }
}

/**
 * On SIGHUP: reopens the audit log (for log rotation) and reads the policy file again, swapping
 * it in (a bad file keeps the current policy). Without either, SIGHUP keeps its default. Returns
 * the unsubscriber.
 */
function onHangup(policyPath: string | undefined, setPolicy: (policy: PolicySet) => void, audit: AuditLog | undefined): () => void {
  if (policyPath === undefined && audit === undefined) return () => {};
  let latest = 0;
  const reload = (): void => {
    void audit?.reopen();
    if (policyPath === undefined) return;
    const reading = ++latest;
    policyOf(policyPath).then(
      (policy) => {
        // Of overlapping reloads, only the last one started may install its policy.
        if (reading !== latest) return;
        setPolicy(policy);
        process.stderr.write(`dek: policy reloaded from ${policyPath}\n`);
      },
      (error: unknown) => process.stderr.write(`dek: policy not reloaded, keeping the previous one: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  };
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}

/** The server's own checks of the AWS region and account id, repeated to name the flags. */
const AWS_REGION = /^[a-z0-9-]{1,64}$/;
const AWS_ACCOUNT_ID = /^\d{12}$/;

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw usageError(`--port '${text}' is not a port number`, 'use 0..65535 (0 picks a free port)');
  return port;
}

async function openAudit(path: string): Promise<AuditLog> {
  try {
    return await AuditLog.open(path, { onError: (error) => process.stderr.write(`dek: audit log write failed: ${error instanceof Error ? error.message : String(error)}\n`) });
  } catch (error) {
    throw ioError(error, `cannot open audit log '${path}'`);
  }
}

/** Runs `dek serve` until SIGINT / SIGTERM; exit 0 after a clean shutdown. */
export async function runServe(context: Context, flags: ServeFlags): Promise<void> {
  if (context.kms !== 'local') throw usageError(`dek serve serves the local keystore; --kms ${context.kms} cannot be served`, 'run it without --kms');
  const port = portOf(flags.port);
  if (!AWS_REGION.test(flags.awsRegion)) throw usageError(`--aws-region '${flags.awsRegion}' is not a region name`, 'use a name such as us-east-1');
  if (!AWS_ACCOUNT_ID.test(flags.awsAccountId)) throw usageError(`--aws-account-id '${flags.awsAccountId}' is not 12 digits`, 'use an account id such as 111122223333');
  const openApi = credentialOf(flags.accessKeyId, '--access-key-id', 'DEK_SERVE_ACCESS_KEY_ID', 'DEK_SERVE_ACCESS_KEY_SECRET', () => `LTAI${randomBytes(10).toString('hex')}`);
  const aws = credentialOf(flags.awsAccessKeyId, '--aws-access-key-id', 'DEK_SERVE_AWS_ACCESS_KEY_ID', 'DEK_SERVE_AWS_SECRET_ACCESS_KEY', () => `AKIA${randomBytes(8).toString('hex').toUpperCase()}`);
  const tls = await tlsOf(context, flags);
  const clientKeys = await clientKeysOf(flags.clientKey);
  const policy = flags.policy === undefined ? undefined : await policyOf(flags.policy);

  await withKms(context, { init: 'never' }, async ({ local }) => {
    if (local === undefined) throw new CliError('DEK_UNAVAILABLE', 'only the local keystore can back the server', { exitCode: EXIT.USAGE });
    const audit = flags.audit === undefined ? undefined : await openAudit(flags.audit);
    const server = await startKmsServer({
      kms: local,
      host: flags.host,
      port,
      accessKeys: { [openApi.id]: openApi.secret },
      aws: { credentials: { [aws.id]: aws.secret }, region: flags.awsRegion, accountId: flags.awsAccountId },
      clientKeys,
      ...(tls ? { tls } : {}),
      ...(policy ? { policy } : {}),
      ...(audit ? { audit: audit.write } : {}),
    });
    const stopReloading = onHangup(flags.policy, server.setPolicy, audit);
    const lines = [
      `KMS server for ${context.home} listening on ${server.url}`,
      describeCredential('Alibaba OpenAPI', openApi, 'DEK_SERVE_ACCESS_KEY_ID', 'DEK_SERVE_ACCESS_KEY_SECRET'),
      describeCredential(`AWS KMS (region ${flags.awsRegion}, account ${flags.awsAccountId})`, aws, 'DEK_SERVE_AWS_ACCESS_KEY_ID', 'DEK_SERVE_AWS_SECRET_ACCESS_KEY'),
    ];
    if (Object.keys(clientKeys).length > 0) lines.push(`instance API ClientKeys: ${Object.keys(clientKeys).join(', ')}`);
    if (policy !== undefined) {
      lines.push(`policy: ${flags.policy} (credentials it does not name are denied everything; SIGHUP reloads it)`);
      const unnamed = [openApi.id, aws.id, ...Object.keys(clientKeys)].filter((id) => !policy.credentialIds.includes(id));
      if (unnamed.length > 0) lines.push(`warning: the policy does not name ${unnamed.join(', ')}: denied everything`);
    }
    if (audit !== undefined && flags.audit !== '-') lines.push(`audit log: ${flags.audit}`);
    if (tls === undefined && flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
      lines.push('warning: plain HTTP on a non-loopback address; use --tls-cert/--tls-key or --dev-tls');
    }
    printLines(lines);
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
    stopReloading();
    await server.close();
    await audit?.close();
  });
}
