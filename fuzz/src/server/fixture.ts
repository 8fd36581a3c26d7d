/**
 * One in-process `@dek/kms-server` over an in-memory LocalKms for the server harnesses: a key
 * with an alias, valid blobs to decrypt, an OpenAPI AccessKey and an instance API ClientKey.
 * Started on first use, shared by both dialect harnesses, closed by {@link closeServerFixture}.
 *
 * @module
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Agent } from 'node:http';
import { advanceToOpenApiBlob } from '@dek/core';
import { LocalKms } from '@dek/kms-adapter';
import { startKmsServer, type KmsServer } from '@dek/kms-server';

/** Body limit of the fuzzed server: small, so inputs can cross it cheaply. */
export const FUZZ_MAX_BODY_BYTES = 64 * 1024;
/** The OpenAPI AccessKey pair the server accepts. */
export const ACCESS_KEY_ID = 'LTAI_FUZZ_AK';
export const ACCESS_KEY_SECRET = 'fuzz-secret-0123456789';
/** The ClientKey id of the instance API. */
export const CLIENT_KEY_ID = 'KAAP.fuzz-client-key';
/** The alias of the fuzzed key. */
export const KEY_ALIAS = 'alias/fuzz';
/** The EncryptionContext of the OpenAPI blobs, and the Aad it stands for. */
export const ENCRYPTION_CONTEXT = '{"purpose":"fuzz"}';

/** What the harnesses need of the running server. */
export interface ServerFixture {
  readonly server: KmsServer;
  readonly agent: Agent;
  readonly keyId: string;
  readonly keyVersionId: string;
  /** An advance blob of 32 bytes under Aad {@link fixtureAad}. */
  readonly advanceBlob: Uint8Array;
  /** The OpenAPI blob of the UTF-8 text `aGVsbG8gZnV6eg==` under {@link ENCRYPTION_CONTEXT}. */
  readonly openApiBlob: string;
  /** A non-advance `Encrypt` blob (ciphertext and tag) and its IV, under Aad {@link fixtureAad}. */
  readonly basicBlob: Uint8Array;
  readonly basicIv: Uint8Array;
  /** The ClientKey's private key (signs instance API requests). */
  readonly clientPrivateKey: KeyObject;
}

/** The binary Aad used by the fixture blobs. */
export const fixtureAad = new Uint8Array(createHash('sha256').update('fuzz-aad').digest());

let started: Promise<ServerFixture> | undefined;

async function start(): Promise<ServerFixture> {
  const kms = new LocalKms();
  const created = await kms.createKey({ description: 'fuzz' });
  const keyId = created.keyMetadata.keyId;
  await kms.createAlias({ aliasName: KEY_ALIAS, keyId });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = await startKmsServer({
    kms,
    accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET },
    // As PEM: startKmsServer passes a KeyObject to createPublicKey, which refuses a public one.
    clientKeys: { [CLIENT_KEY_ID]: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    maxBodyBytes: FUZZ_MAX_BODY_BYTES,
    requestTimeoutMs: 10_000,
    shutdownGraceMs: 1000,
  });
  const advance = await kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(32).fill(7), aad: fixtureAad });
  const contextAad = new Uint8Array(createHash('sha256').update('purpose=fuzz').digest());
  const text = await kms.advanceEncrypt({ keyId, plaintext: new TextEncoder().encode('aGVsbG8gZnV6eg=='), aad: contextAad });
  const basic = await kms.encrypt({ keyId, plaintext: new Uint8Array(16).fill(9), aad: fixtureAad });
  return {
    server,
    agent: new Agent({ keepAlive: true, maxSockets: 4 }),
    keyId,
    keyVersionId: advance.keyVersionId,
    advanceBlob: advance.ciphertextBlob,
    openApiBlob: advanceToOpenApiBlob(text.ciphertextBlob),
    basicBlob: basic.ciphertextBlob,
    basicIv: basic.iv,
    clientPrivateKey: privateKey,
  };
}

/** The running server fixture (started on first call). */
export function serverFixture(): Promise<ServerFixture> {
  started ??= start();
  return started;
}

/** Stops the server if it was started. */
export async function closeServerFixture(): Promise<void> {
  const pending = started;
  started = undefined;
  if (pending === undefined) return;
  const fixture = await pending;
  fixture.agent.destroy();
  await fixture.server.close();
}
