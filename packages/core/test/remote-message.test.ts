/**
 * `safeRemoteMessage` / `safeRemoteCode`: what dek keeps of a remote service's error text, and the
 * `assertNoSecret` test helper every secret-leak test relies on (tested here to fail when it must).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_REMOTE_MESSAGE_LENGTH, safeRemoteCode, safeRemoteMessage } from '@dek/core';
import { assertNoSecret, secretForms } from '../../../test-support/no-secret.js';

// A fixed key: whether a bare run is redacted depends on its characters, so the test must not be left to chance.
const key = createHash('sha256').update('echoed data key').digest();
const b64 = key.toString('base64');
const enc = (s: string): string => encodeURIComponent(s);

describe('assertNoSecret', () => {
  it('finds the secret in every form: raw, hex, spaced hex, bytes, base64, base64url, percent-encoded', () => {
    for (const form of secretForms(key)) {
      expect(() => assertNoSecret(`before ${form} after`, [key])).toThrow();
    }
    expect(() => assertNoSecret(`echo: Plaintext%3D${enc(enc(b64))}%26`, [key])).toThrow();
  });

  it('looks inside errors: message, details, cause, own properties', () => {
    expect(() => assertNoSecret(new Error('ok', { cause: new Error(b64) }), [key])).toThrow();
    expect(() => assertNoSecret(Object.assign(new Error('ok'), { details: { failures: [{ message: key.toString('hex') }] } }), [key])).toThrow();
    expect(() => assertNoSecret(Object.assign(new Error('ok'), { data: key }), [key])).toThrow();
    expect(() => assertNoSecret(Object.assign(new Error('ok'), { data: new Uint8Array(key) }), [key])).toThrow();
  });

  it('passes text that holds no secret, and refuses secrets too short to look for', () => {
    expect(() => assertNoSecret(new Error('InvalidParameter: The specified parameter "Iv" is not valid.'), [key])).not.toThrow();
    expect(() => assertNoSecret('text', [new Uint8Array(4)])).toThrow(/too short/);
  });
});

describe('safeRemoteMessage', () => {
  it("cuts Alibaba's SignatureDoesNotMatch before the string to sign", () => {
    const message = `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&Action%3DEncrypt%26Plaintext%3D${enc(enc(b64))}`;
    const safe = safeRemoteMessage(message);
    expect(safe).toBe('Specified signature is not matched with our calculation (echo of the signed request removed)');
    assertNoSecret(safe, [key]);
  });

  it("cuts AWS's InvalidSignatureException before the canonical request, and StringToSign spellings", () => {
    const aws = `The request signature we calculated does not match. Check your key.\n\nThe Canonical String for this request should have been\n'POST\n/\nx=${b64}'`;
    expect(safeRemoteMessage(aws)).toBe('The request signature we calculated does not match. Check your key (echo of the signed request removed)');
    expect(safeRemoteMessage(`bad signature; StringToSign: ${b64}`)).toBe('bad signature (echo of the signed request removed)');
    expect(safeRemoteMessage(`bad; canonical request ${b64}`)).not.toContain(b64);
  });

  it('redacts URL queries and long base64 or hex runs, keeps codes and words', () => {
    const network = `connect ECONNRESET. POST http://127.0.0.1:1/?Action=Encrypt&Plaintext=${enc(b64)} failed.`;
    expect(safeRemoteMessage(network)).toBe('connect ECONNRESET. POST http://127.0.0.1:1/?<redacted> failed.');
    const bare = safeRemoteMessage(`the key ${b64} and ${key.toString('hex')} were refused`);
    expect(bare).toBe('the key <redacted> and <redacted> were refused');
    // The shortest data key dek asks for: 16 bytes, 22 base64 characters without padding.
    const short = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    expect(safeRemoteMessage(`k=${short.toString('base64').replace(/=+$/, '')}.`)).toBe('k=<redacted>.');
    for (const kept of [
      'The key key-abc is not a symmetric key. Forbidden.OnlySymmetricKeySupported InvalidSignatureException',
      'The key key-afo8mnamty6gmb3vkvqoa is not a symmetric key. The API only supports symmetric keys.',
      'Key version key-afo8mnamty6gmb3vkvqoa-3e9fq0w1zt is disabled.',
      'No keystore at /home/someuser/projects/dek/keystore.json (create one with `dek init`).',
      'Cannot read keystore /Users/SomeOne/Library/Application/keystore.json: EACCES.',
    ]) {
      expect(safeRemoteMessage(kept)).toBe(kept);
    }
  });

  it('replaces control characters and bidirectional overrides, keeps newlines', () => {
    expect(safeRemoteMessage('red \u001b[31malert\u0007\r\nnext \u202egnp.exe')).toBe('red \ufffd[31malert\ufffd\ufffd\nnext \ufffdgnp.exe');
  });

  it(`keeps at most ${MAX_REMOTE_MESSAGE_LENGTH} characters`, () => {
    const long = safeRemoteMessage('x '.repeat(1000));
    expect(long).toHaveLength(MAX_REMOTE_MESSAGE_LENGTH);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('safeRemoteCode', () => {
  it('keeps token codes and request ids, replaces anything else', () => {
    expect(safeRemoteCode('Forbidden.KeyNotFound')).toBe('Forbidden.KeyNotFound');
    expect(safeRemoteCode('3B6A1C2D-0000-4000-8000-000000000000')).toBe('3B6A1C2D-0000-4000-8000-000000000000');
    expect(safeRemoteCode('')).toBe('');
    expect(safeRemoteCode(`Code ${b64}`)).toBe('Unknown');
    expect(safeRemoteCode('\u001b[31mred')).toBe('Unknown');
  });
});
