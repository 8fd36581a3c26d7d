import { sign, verify, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import { parseClientKey, parseClientKeyJson } from '@dek/kms-alibaba';
import { makeClientKey } from './alibaba-support.js';

describe('ClientKey parsing', () => {
  const clientKey = makeClientKey('s3cret');

  it('opens the PKCS#12 with its password: the key signs what the certificate verifies', () => {
    const parsed = parseClientKey(clientKey.content, 's3cret');
    expect(parsed.keyId).toBe('KAAP.test-client-key');
    expect(parsed.certificatePem).toContain('BEGIN CERTIFICATE');
    const signature = sign('sha256', Buffer.from('hello'), parsed.privateKey);
    expect(verify('sha256', Buffer.from('hello'), createPublicKey(clientKey.certificate), signature)).toBe(true);
  });

  it('reads the JSON file format', () => {
    const content = parseClientKeyJson(JSON.stringify(clientKey.content));
    expect(content).toEqual(clientKey.content);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['not an object', '42', /not a JSON object/],
    ['no KeyId', JSON.stringify({ PrivateKeyData: 'AAAA' }), /"KeyId"/],
    ['no PrivateKeyData', JSON.stringify({ KeyId: 'k' }), /"PrivateKeyData"/],
  ])('rejects a ClientKey file that is %s', (_, text, message) => {
    const error = (() => {
      try {
        parseClientKeyJson(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KmsServiceError);
    expect((error as KmsServiceError).code).toBe('InvalidClientKey');
    expect((error as KmsServiceError).message).toMatch(message);
  });

  it('rejects a wrong password', () => {
    expect(() => parseClientKey(clientKey.content, 'wrong')).toThrow(/wrong password or malformed/);
  });

  it('rejects PrivateKeyData that is not base64 or not PKCS#12', () => {
    expect(() => parseClientKey({ KeyId: 'k', PrivateKeyData: 'not base64!' }, 's3cret')).toThrow(/not base64/);
    expect(() => parseClientKey({ KeyId: 'k', PrivateKeyData: 'AAAAAAAA' }, 's3cret')).toThrow(KmsServiceError);
  });
});
