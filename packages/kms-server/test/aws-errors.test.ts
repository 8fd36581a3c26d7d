/**
 * How failures become AWS error answers: backend codes, server plumbing (deadline), and anything
 * unexpected, which must not leak its details.
 */
import { describe, expect, it } from 'vitest';
import { KmsServiceError, LocalKms } from '@dek/kms-adapter';
import { startKmsServer, type KmsBackend } from '@dek/kms-server';
import { ApiError } from '../src/api-error.js';
import { AwsError, toAwsError } from '../src/aws/errors.js';
import { AWS_ACCESS_KEY_ID, AWS_REGION, AWS_SECRET_ACCESS_KEY, awsFailure, awsSdk } from './aws-support.js';

const backendError = (code: string, httpStatus = 400): KmsServiceError =>
  new KmsServiceError({ httpStatus, code, message: `backend says ${code}`, requestId: 'r' });

describe('toAwsError', () => {
  it.each([
    ['Forbidden.KeyNotFound', 400, 'NotFoundException'],
    ['Forbidden.AliasNotFound', 400, 'NotFoundException'],
    ['Rejected.Disabled', 400, 'DisabledException'],
    ['Rejected.PendingDeletion', 400, 'KMSInvalidStateException'],
    ['Rejected.StateModifiedFailed', 400, 'KMSInvalidStateException'],
    ['Forbidden.OnlySymmetricKeySupported', 400, 'InvalidKeyUsageException'],
    ['Rejected.UnsupportedOperation', 400, 'UnsupportedOperationException'],
    ['AliasAlreadyExists', 400, 'AlreadyExistsException'],
    ['InvalidParameter', 400, 'ValidationException'],
    ['Keystore.LockTimeout', 503, 'DependencyTimeoutException'],
  ])('backend %s -> %i %s', (code, status, type) => {
    expect(toAwsError(backendError(code))).toMatchObject({ status, type });
  });

  it('keeps client-error messages, hides server-side details', () => {
    expect(toAwsError(backendError('Rejected.Disabled')).message).toBe('backend says Rejected.Disabled');
    expect(toAwsError(backendError('Keystore.LockTimeout')).message).not.toContain('backend');
    const corrupt = toAwsError(backendError('Keystore.Corrupt', 500));
    expect(corrupt).toMatchObject({ status: 500, type: 'KMSInternalException', message: 'An internal error occurred.' });
    expect(toAwsError(new Error('/secret/path exploded'))).toMatchObject({ status: 500, type: 'KMSInternalException', message: 'An internal error occurred.' });
  });

  it('maps server plumbing by status', () => {
    expect(toAwsError(new ApiError(413, 'RequestEntityTooLarge', 'big'))).toMatchObject({ status: 413, type: 'RequestEntityTooLargeException' });
    expect(toAwsError(new ApiError(503, 'ServiceUnavailableTemporary', 'slow'))).toMatchObject({ status: 503, type: 'ServiceUnavailableException' });
    const own = new AwsError('NotFoundException', 'x');
    expect(toAwsError(own)).toBe(own);
  });
});

describe('through the official client', () => {
  /** A backend whose describeKey does `run`. */
  async function serverWith(run: () => Promise<never>, requestTimeoutMs = 30_000) {
    const kms = new LocalKms();
    const backend = new Proxy(kms, {
      get(target, property) {
        if (property === 'describeKey') return run;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as unknown as KmsBackend;
    const server = await startKmsServer({
      kms: backend,
      requestTimeoutMs,
      aws: { credentials: { [AWS_ACCESS_KEY_ID]: AWS_SECRET_ACCESS_KEY }, region: AWS_REGION },
    });
    const client = new (awsSdk().KMSClient)({
      endpoint: server.url,
      region: AWS_REGION,
      credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    return { server, client };
  }

  it('a request that outlives requestTimeoutMs is 503 ServiceUnavailableException', async () => {
    const { server, client } = await serverWith(() => new Promise<never>(() => undefined), 150);
    try {
      await awsFailure(client.send(new (awsSdk().DescribeKeyCommand)({ KeyId: 'k' })), 'ServiceUnavailableException', 503);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('an unexpected backend failure is 500 KMSInternalException without its details', async () => {
    const { server, client } = await serverWith(() => Promise.reject(new Error('/secret/path exploded')));
    try {
      const e = await awsFailure(client.send(new (awsSdk().DescribeKeyCommand)({ KeyId: 'k' })), 'KMSInternalException', 500);
      expect(e).toBeInstanceOf(awsSdk().KMSInternalException);
      expect(e.message).toBe('An internal error occurred.');
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
