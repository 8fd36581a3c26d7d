/**
 * The `dek` command line: commands, options, help texts with examples. Actions live in
 * `commands/`; this file only declares the shape.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { resolveContext, type Context, type GlobalFlags } from './context.js';
import { collect } from './options.js';
import type { KeyCreateFlags } from './commands/key.js';
import type { EncryptFlags } from './commands/encrypt.js';
import type { DecryptFlags } from './commands/decrypt.js';
import type { RewrapFlags } from './commands/rewrap.js';
import type { ServeFlags } from './commands/serve.js';

// The commands (and the libraries they need) are loaded only when one runs, so `dek --help` and
// usage errors stay fast; all but serve from one module, which the bundle loads as one chunk.
const commands = {
  init: () => import('./commands/all.js'),
  key: () => import('./commands/all.js'),
  encrypt: () => import('./commands/all.js'),
  decrypt: () => import('./commands/all.js'),
  inspect: () => import('./commands/all.js'),
  rewrap: () => import('./commands/all.js'),
  serve: () => import('./commands/serve.js'),
};

function version(): string {
  try {
    const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}

/** The shared context of the command being run (global flags may appear before or after it). */
function contextOf(command: Command): Context {
  return resolveContext(command.optsWithGlobals<GlobalFlags>());
}

/** The environment of the cloud KMSs (their flags fall back to it). */
const CLOUD_ENV = `
Cloud KMS environment (see also the cloud options of encrypt, decrypt, rewrap):
  --kms aws       AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or the SDK's other
                  credential sources), AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE,
                  AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL
  --kms alibaba   ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
                  ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_REGION_ID, DEK_ALIBABA_ENDPOINT;
                  a KMS instance: DEK_ALIBABA_INSTANCE_ENDPOINT, DEK_ALIBABA_CLIENT_KEY_FILE,
                  DEK_ALIBABA_CLIENT_KEY_PASSWORD, DEK_ALIBABA_CA_FILE
`;

const CLOUD_GROUP = 'Cloud KMS options (for --kms aws / --kms alibaba):';

/** Adds the cloud KMS options to a command that uses a KMS. */
function cloudOptions(command: Command): Command {
  const option = (flags: string, description: string): Option => new Option(flags, description).helpGroup(CLOUD_GROUP);
  return command
    .addOption(option('--aws-endpoint <url>', 'AWS KMS endpoint, e.g. http://127.0.0.1:8443 for dek serve (env AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL)'))
    .addOption(option('--aws-region <region>', "AWS region (env AWS_REGION, AWS_DEFAULT_REGION, else the profile's)"))
    .addOption(option('--aws-profile <name>', 'profile of the shared AWS config and credentials files (env AWS_PROFILE)'))
    .addOption(option('--alibaba-endpoint <host|url>', 'Alibaba KMS OpenAPI gateway; http://host:port for a local server (env DEK_ALIBABA_ENDPOINT)'))
    .addOption(option('--alibaba-region <id>', 'Alibaba region id, e.g. cn-hangzhou (env ALIBABA_CLOUD_REGION_ID)'))
    .addOption(option('--alibaba-instance-endpoint <host|url>', 'use this Alibaba KMS instance, not the gateway (env DEK_ALIBABA_INSTANCE_ENDPOINT)'))
    .addOption(option('--alibaba-client-key-file <file>', 'ClientKey JSON of the instance (env DEK_ALIBABA_CLIENT_KEY_FILE); password: env DEK_ALIBABA_CLIENT_KEY_PASSWORD'))
    .addOption(option('--alibaba-ca-file <file>', 'CA certificate (PEM) of the instance (env DEK_ALIBABA_CA_FILE)'));
}

const MAIN_HELP = `
Exit codes:
  0  success
  1  the data or key was refused: authentication, format, truncation, KMS error (dek: DEK_AUTH: ...)
  2  usage: bad flags, missing input, existing output without --force, no keystore, KMS not available
  130/143  interrupted by Ctrl-C / SIGTERM (temporary files removed)
  141  the program reading stdout exited first (no message, as cat)

Environment:
  DEK_HOME        local keystore directory (default ~/.dek)
  DEK_KMS         KMS to use: local (default), alibaba, aws
  DEK_MASTER_KEY  base64 master key of the local keystore (instead of <home>/master.key)
  DEK_DEBUG=1     print stack traces with errors
${CLOUD_ENV}${examples(
  'dek init',
  'dek encrypt -o report.pdf.dek report.pdf',
  'dek decrypt -o report.pdf report.pdf.dek',
  'tar c photos | dek encrypt -k alias/backup > photos.tar.dek',
  'dek decrypt < photos.tar.dek | tar x',
)}`;

/** Builds the `dek` program. */
export function buildProgram(): Command {
  const program = new Command('dek')
    .description('envelope encryption of files and streams with KMS-wrapped data keys (c2sp chunked encryption)')
    .version(version(), '-V, --version')
    .addOption(new Option('--kms <name>', 'KMS to use (env DEK_KMS)').choices(['local', 'alibaba', 'aws']))
    .option('--home <dir>', 'local keystore directory (env DEK_HOME, default ~/.dek)')
    .option('-q, --quiet', 'no progress bar and no notes on stderr')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .addHelpText('after', MAIN_HELP);

  program
    .command('init')
    .description('create the local keystore, its master key file (0600) and the key alias/default; running it again changes nothing')
    .addHelpText('after', examples('dek init', 'DEK_HOME=/srv/keys dek init'))
    .action(async (_options: object, command: Command) => (await commands.init()).runInit(contextOf(command)));

  const key = program.command('key').description('manage KMS keys: create, list, describe, rotate, disable, enable');
  key.addHelpText('after', examples('dek key create --alias alias/backup --rotate 90d', 'dek key list', 'dek key rotate alias/backup'));
  key
    .command('create')
    .description('create a key (its first version becomes primary)')
    .option('--alias <alias>', 'give the key an alias, e.g. alias/backup')
    .addOption(
      new Option('--spec <spec>', 'key spec: envelopes need a symmetric one (Aliyun_AES_*); RSA_* and EC_* keys are asymmetric')
        .choices(['Aliyun_AES_256', 'Aliyun_AES_128', 'RSA_2048', 'RSA_3072', 'EC_P256', 'EC_P256K'])
        .default('Aliyun_AES_256'),
    )
    .addOption(new Option('--usage <usage>', "key usage (default: the spec's first; RSA keys take either)").choices(['ENCRYPT/DECRYPT', 'SIGN/VERIFY']))
    .option('--rotate <period>', 'rotate automatically every period, e.g. 30d (7d..365d)')
    .option('--description <text>', 'a description')
    .option('--json', 'print the key metadata as JSON')
    .addHelpText('after', examples('dek key create --alias alias/backup', 'dek key create --alias alias/logs --rotate 30d', 'dek key create --spec RSA_2048 --usage SIGN/VERIFY'))
    .action(async (options: KeyCreateFlags, command: Command) => (await commands.key()).runKeyCreate(contextOf(command), options));
  key
    .command('list')
    .description('list keys with state, primary version and aliases')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => (await commands.key()).runKeyList(contextOf(command), options));
  key
    .command('describe')
    .argument('<key>', 'key id or alias')
    .description("show a key's metadata, versions and aliases")
    .option('--json', 'print JSON')
    .addHelpText('after', examples('dek key describe alias/default', 'dek key describe alias/default --json'))
    .action(async (ref: string, options: { json?: boolean }, command: Command) => (await commands.key()).runKeyDescribe(contextOf(command), ref, options));
  key
    .command('rotate')
    .argument('<key>', 'key id or alias')
    .description('create a new key version and make it primary; older versions still decrypt (use dek rewrap to move files)')
    .addHelpText('after', examples('dek key rotate alias/default', 'dek rewrap secrets.dek'))
    .action(async (ref: string, _options: object, command: Command) => (await commands.key()).runKeyRotate(contextOf(command), ref));
  key
    .command('disable')
    .argument('<key>', 'key id or alias')
    .description('disable a key: nothing can be encrypted or decrypted with it until it is enabled')
    .action(async (ref: string, _options: object, command: Command) => (await commands.key()).runKeySetEnabled(contextOf(command), ref, false));
  key
    .command('enable')
    .argument('<key>', 'key id or alias')
    .description('enable a disabled key')
    .action(async (ref: string, _options: object, command: Command) => (await commands.key()).runKeySetEnabled(contextOf(command), ref, true));

  const encrypt = program
    .command('encrypt')
    .argument('[in]', "input file, or '-' / nothing for stdin")
    .description('encrypt a file or stdin under a KMS key (a fresh data key per message)')
    .option('-k, --key <key>', 'KMS key id or alias', 'alias/default')
    .option('-c, --context <key=value>', 'encryption context pair (repeatable): stored in the header in the clear and bound to the data', collect)
    .option('--also-to <key>', 'also wrap the data key under this key (repeatable)', collect)
    .option('-o, --output <file>', "output file, or '-' for stdout (default stdout)")
    .option('-f, --force', 'replace an existing output file')
    .option('--init', 'create the local keystore first if it does not exist')
    .addHelpText(
      'after',
      examples(
        'dek encrypt -o notes.txt.dek notes.txt',
        'dek encrypt -k alias/backup -c host=db1 -c purpose=backup -o db.dump.dek db.dump',
        'dek encrypt --also-to alias/escrow < data.bin > data.bin.dek',
        'tar c dir | dek encrypt -k alias/backup > dir.tar.dek',
        'dek encrypt --kms aws --aws-region eu-west-1 -k alias/backup -o db.dump.dek db.dump',
        'dek encrypt --kms alibaba --alibaba-region cn-hangzhou -k alias/backup -o db.dump.dek db.dump',
      ),
    );
  cloudOptions(encrypt).action(async (input: string | undefined, options: EncryptFlags, command: Command) =>
    (await commands.encrypt()).runEncrypt(contextOf(command), input, options),
  );

  const decrypt = program
    .command('decrypt')
    .argument('[in]', "input file, or '-' / nothing for stdin")
    .description('decrypt a dek file or stdin; a file output appears only once everything verified')
    .option('-o, --output <file>', "output file, or '-' for stdout (default stdout)")
    .option('-f, --force', 'replace an existing output file')
    .option('--range <start-end>', 'only these plaintext bytes (inclusive offsets, e.g. 0-1023, or 4096-); needs a file input')
    .option('-c, --context <key=value>', "require this pair in the file's encryption context (repeatable); checked before any plaintext", collect)
    .option('-k, --key <key>', 'only unwrap through this key: id, alias or ARN (repeatable); a file naming none is refused before any KMS call', collect)
    .addHelpText(
      'after',
      examples(
        'dek decrypt -o notes.txt notes.txt.dek',
        'dek decrypt -k alias/backup -o db.dump db.dump.dek',
        'dek decrypt < dir.tar.dek | tar x',
        'dek decrypt -c purpose=backup -o db.dump db.dump.dek',
        'dek decrypt --range 0-1023 video.mp4.dek > head.bin',
        'dek decrypt --kms aws --aws-region eu-west-1 -o db.dump db.dump.dek',
      ),
    );
  cloudOptions(decrypt).action(async (input: string | undefined, options: DecryptFlags, command: Command) =>
    (await commands.decrypt()).runDecrypt(contextOf(command), input, options),
  );

  program
    .command('inspect')
    .argument('<file>', "a dek file, or '-' for stdin")
    .description('show the header: suite, context, key slots (key ids and versions), sizes; needs no key')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('dek inspect backup.tar.dek', 'dek inspect --json backup.tar.dek | jq .slots'))
    .action(async (file: string, options: { json?: boolean }, command: Command) => (await commands.inspect()).runInspect(contextOf(command), file, options));

  const rewrap = program
    .command('rewrap')
    .argument('<file>', 'a dek file')
    .description("re-wrap the data key under keys' current primary versions (or other keys); the payload is copied unchanged")
    .option('--to <key>', 'wrap under this key instead of the current ones (repeatable)', collect)
    .option('-k, --key <key>', 'only open the file through this key: id, alias or ARN (repeatable); a file naming none is refused', collect)
    .option('-o, --output <file>', 'write here instead of replacing <file> in place (atomically)')
    .option('-f, --force', 'replace an existing output file')
    .option('--no-verify', 'copy the chunks without opening them: only the commitment and the final chunk are checked')
    .addHelpText('after', examples('dek key rotate alias/default && dek rewrap notes.txt.dek', 'dek rewrap --to alias/new -o moved.dek old.dek'));
  cloudOptions(rewrap).action(async (file: string, options: RewrapFlags, command: Command) => (await commands.rewrap()).runRewrap(contextOf(command), file, options));

  program
    .command('serve')
    .description('run the KMS server (Alibaba KMS OpenAPI, Alibaba KMS instance API and AWS KMS wire protocols, one port) over the local keystore, until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8443')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--dev-tls', 'serve HTTPS with a throwaway CA; its certificate is written to <home>/serve-ca.pem')
    .option('--access-key-id <id>', 'Alibaba OpenAPI AccessKeyId to accept (env DEK_SERVE_ACCESS_KEY_ID); secret: DEK_SERVE_ACCESS_KEY_SECRET')
    .option('--aws-access-key-id <id>', 'AWS access key id to accept (env DEK_SERVE_AWS_ACCESS_KEY_ID); secret: DEK_SERVE_AWS_SECRET_ACCESS_KEY')
    .option('--aws-region <region>', 'the AWS region requests are signed for and ARNs name', 'us-east-1')
    .option('--aws-account-id <id>', 'the 12-digit account id in AWS ARNs', '000000000000')
    .option('--client-key <id=cert.pem>', 'accept instance-API requests signed by this ClientKey (repeatable)', collect)
    .option('--policy <file>', 'allow each credential only what its RAM / IAM policy in this JSON file grants (SIGHUP reloads it)')
    .option('--audit <file>', 'append one JSON line per request to this file (- for stdout); SIGHUP reopens it')
    .addHelpText(
      'after',
      `
Credentials: secrets are read from the environment only (DEK_SERVE_ACCESS_KEY_SECRET,
DEK_SERVE_AWS_SECRET_ACCESS_KEY), never from flags. An access key id or secret that is not given
is made at random for this run and printed.

Clients: the AWS dialect takes AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY = the AWS pair, AWS_REGION
= --aws-region and --aws-endpoint http://127.0.0.1:<port>; the OpenAPI dialect takes
ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET = the OpenAPI pair and
--alibaba-endpoint http://127.0.0.1:<port>.

Policies: --policy names, per credential id, a RAM policy ("Version": "1", resources
acs:kms:*:*:key/<id> or .../alias/<name>) for OpenAPI AccessKeys and ClientKeys, or an IAM policy
("Version": "2012-10-17", arn:aws:kms:...) for AWS keys. E.g. encrypt-only for backups:
  {"LTAI...": {"Version": "1", "Statement": [{"Effect": "Allow",
     "Action": ["kms:GenerateDataKey", "kms:AdvanceGenerateDataKey", "kms:Encrypt"],
     "Resource": ["acs:kms:*:*:alias/backup"]}]}}
A credential the file does not name is denied everything; an explicit Deny wins.
${examples(
  'dek serve',
  'dek serve --dev-tls --port 8443',
  'DEK_SERVE_AWS_SECRET_ACCESS_KEY=secret dek serve --port 8443 --aws-access-key-id AKIATEST',
  'AWS_ACCESS_KEY_ID=AKIATEST AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1 \\\n    dek encrypt --kms aws --aws-endpoint http://127.0.0.1:8443 -k alias/default -o x.dek x',
)}`,
    )
    .action(async (options: ServeFlags, command: Command) => (await commands.serve()).runServe(contextOf(command), options));

  return program;
}
