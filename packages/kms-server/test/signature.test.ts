/**
 * The signature computations against requests captured from the official clients
 * (reference: alibaba-kms.md §5.7), and the small parts around them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import { AuthenticationError, FormatError } from '@dek/core';
import { acs3StringToSign, parseAcs3Authorization, percentEncode, v1StringToSign } from '../src/openapi/signature.js';
import { NonceCache } from '../src/openapi/nonce-cache.js';
import { Params } from '../src/openapi/params.js';
import { ApiError, toApiError } from '../src/api-error.js';

describe('signature v1 (HMAC-SHA1)', () => {
  it('rebuilds the string to sign of a captured @alicloud/kms20160120 generateDataKey request', () => {
    const query =
      'Action=GenerateDataKey&Format=json&Timestamp=2026-11-28T12%3A00%3A57Z&Version=2016-01-20&SignatureNonce=bf7107a9ba5f1728ee74ecc20933d0cc&KeyId=alias%2Fdemo&NumberOfBytes=32&EncryptionContext=%7B%22k%22%3A%22v%22%7D&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=LTAI_TEST_AK&Signature=N17i13kVPLiRxzAwQLak01T04DY%3D';
    expect(v1StringToSign('POST', [...new URLSearchParams(query).entries()])).toBe(
      'POST&%2F&AccessKeyId%3DLTAI_TEST_AK%26Action%3DGenerateDataKey%26EncryptionContext%3D%257B%2522k%2522%253A%2522v%2522%257D%26Format%3Djson%26KeyId%3Dalias%252Fdemo%26NumberOfBytes%3D32%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dbf7107a9ba5f1728ee74ecc20933d0cc%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-28T12%253A00%253A57Z%26Version%3D2016-01-20',
    );
  });

  it("percent-encodes as RFC 3986 (!'()* escaped, ~ kept, space as %20)", () => {
    expect(percentEncode("a b!'()*~+/=")).toBe('a%20b%21%27%28%29%2A~%2B%2F%3D');
  });
});

describe('signature ACS3-HMAC-SHA256', () => {
  it('rebuilds the canonical request of a captured @alicloud/openapi-client request', () => {
    const headers: Record<string, string> = {
      host: '127.0.0.1:33391',
      'x-acs-action': 'AdvanceGenerateDataKey',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-acs-credentials-provider': 'static_ak',
      'x-acs-date': '2026-11-28T12:00:57Z',
      'x-acs-signature-nonce': 'd00bfc7c450b0aa4baade396b21b1346',
      'x-acs-version': '2016-01-20',
    };
    const auth = parseAcs3Authorization(
      'ACS3-HMAC-SHA256 Credential=LTAI_TEST_AK,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=ae9ac8a3afa3d5c743bf41f251a66b6011c65545556c81c913a9d7e884194f45',
    )!;
    expect(auth.accessKeyId).toBe('LTAI_TEST_AK');
    const canonical = [
      'POST',
      '/',
      'Aad=YWFkISooKQ%3D%3D&KeyId=alias%2Fdemo&NumberOfBytes=32',
      ...auth.signedHeaders.map((n) => `${n}:${headers[n]}`),
      '',
      auth.signedHeaders.join(';'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n');
    const stringToSign = acs3StringToSign({
      method: 'POST',
      pathname: '/',
      query: [...new URLSearchParams('KeyId=alias%2Fdemo&NumberOfBytes=32&Aad=YWFkISooKQ%3D%3D').entries()],
      headers: (n) => headers[n] ?? '',
      signedHeaders: auth.signedHeaders,
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    expect(stringToSign).toBe(`ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`);
  });

  it('refuses malformed Authorization headers', () => {
    expect(parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=xyz')).toBeUndefined();
    expect(parseAcs3Authorization(`ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host,Signature=${'0'.repeat(64)}`)).toBeUndefined();
    expect(parseAcs3Authorization(`HMAC Credential=a,SignedHeaders=host,Signature=${'0'.repeat(64)}`)).toBeUndefined();
  });
});

describe('NonceCache', () => {
  it('refuses a nonce seen within its lifetime and forgets it after', () => {
    const cache = new NonceCache(1000);
    expect(cache.add('n', 0)).toBe(true);
    expect(cache.add('n', 999)).toBe(false);
    expect(cache.add('n', 1000)).toBe(true);
  });

  it('stays within its capacity, dropping the oldest', () => {
    const cache = new NonceCache(10_000, 3);
    for (const n of ['a', 'b', 'c', 'd']) cache.add(n, 0);
    expect(cache.size).toBe(3);
    expect(cache.add('a', 1)).toBe(true);
    expect(cache.add('d', 1)).toBe(false);
  });
});

describe('Params', () => {
  it('turns an EncryptionContext into SHA-256 of the sorted k=v pairs joined by &', () => {
    const aad = new Params([['EncryptionContext', '{"b":"2","a":"1"}']]).encryptionContextAad('EncryptionContext');
    expect(Buffer.from(aad!).toString('hex')).toBe(createHash('sha256').update('a=1&b=2').digest('hex'));
    expect(new Params([['EncryptionContext', '{}']]).encryptionContextAad('EncryptionContext')).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '["a"]'],
    ['a non-string value', '{"a":1}'],
  ])('refuses an EncryptionContext that is %s', (_, value) => {
    expect(() => new Params([['EncryptionContext', value]]).encryptionContextAad('EncryptionContext')).toThrow(/"EncryptionContext" is not valid/);
  });

  it('checks integers, booleans, base64 and duplicates, naming the parameter', () => {
    const p = new Params([['N', '1025'], ['B', 'yes'], ['X', 'a*b'], ['Z', '007']]);
    expect(() => p.integer('N', 1, 1024)).toThrow(/"N" is not valid/);
    expect(() => p.integer('Z', 0, 10)).toThrow(/"Z" is not valid/);
    expect(() => p.boolean('B')).toThrow(/"B" is not valid/);
    expect(() => p.base64('X', 10)).toThrow(/"X" is not valid/);
    expect(() => p.required('Missing')).toThrow(/"Missing" is needed/);
    expect(() => new Params([['K', '1'], ['K', '2']])).toThrow(/"K" is not valid/);
  });
});

describe('toApiError', () => {
  it('keeps KMS errors, names the field of format errors, hides everything else', () => {
    expect(toApiError(new KmsServiceError({ httpStatus: 409, code: 'Rejected.Disabled', message: 'm', requestId: 'r' }))).toMatchObject({ status: 409, code: 'Rejected.Disabled' });
    expect(toApiError(new FormatError('bad', { field: 'Iv' }))).toMatchObject({ status: 400, code: 'InvalidParameter', message: expect.stringContaining('"Iv"') });
    expect(toApiError(new AuthenticationError('tag'))).toMatchObject({ status: 400, message: expect.stringContaining('"CiphertextBlob"') });
    const internal = toApiError(new Error('secret detail'));
    expect(internal).toBeInstanceOf(ApiError);
    expect(internal).toMatchObject({ status: 500, code: 'InternalFailure', message: 'Internal Failure.' });
  });
});
