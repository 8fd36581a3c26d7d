/**
 * What the remote-echo tests of every KMS client share: a data key fixed so that they do not
 * depend on chance, and a scripted loopback server closed when the test ends.
 */
import { createHash } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { scriptedServer, type Script } from './scripted-server.js';

/**
 * A data key fixed for the tests where only the client's redaction of bare base64 / hex runs stands
 * between it and the error (no "string to sign" to cut at): whether a run is redacted depends on
 * its characters, so these tests must not be left to chance.
 */
export const FIXED_DATA_KEY = createHash('sha256').update('echoed data key').digest();

/** A scripted server, closed when the test finishes; its URL. */
export async function serve(script: Script): Promise<string> {
  const server = await scriptedServer(script);
  onTestFinished(() => server.close());
  return server.url;
}
