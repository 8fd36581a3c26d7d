/**
 * The protobuf messages of the Alibaba Cloud KMS instance API (`dkms-gcs-0.2`), with the field
 * numbers of the official `api.proto` of Alibaba's dkms-gcs SDKs, for the calls dek uses.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';

// protobufjs costs ~30 ms to load: require it on the first message, not with the package.
const requireLazily = createRequire(import.meta.url);

/** The proto3 source of the messages (a subset of the official `api.proto`). */
export const INSTANCE_API_PROTO = `
syntax = "proto3";
package api;

message AdvanceGenerateDataKeyRequest { string KeyId = 1; int32 NumberOfBytes = 2; bytes Aad = 3; }
message AdvanceGenerateDataKeyResponse {
  string KeyId = 1; bytes Iv = 2; bytes Plaintext = 3; bytes CiphertextBlob = 4;
  string RequestId = 5; string Algorithm = 6; string KeyVersionId = 7;
}
message AdvanceEncryptRequest {
  string KeyId = 1; bytes Plaintext = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6;
}
message AdvanceEncryptResponse {
  string KeyId = 1; bytes CiphertextBlob = 2; bytes Iv = 3; string RequestId = 4; string Algorithm = 5;
  string PaddingMode = 6; string KeyVersionId = 7;
}
message AdvanceDecryptRequest {
  bytes CiphertextBlob = 1; string KeyId = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6;
}
message AdvanceDecryptResponse {
  string KeyId = 1; bytes Plaintext = 2; string RequestId = 3; string Algorithm = 4; string PaddingMode = 5;
  string KeyVersionId = 6;
}
message GenerateDataKeyRequest { string KeyId = 1; string Algorithm = 2; int32 NumberOfBytes = 3; bytes Aad = 4; }
message GenerateDataKeyResponse {
  string KeyId = 1; bytes Iv = 2; bytes Plaintext = 3; bytes CiphertextBlob = 4; string RequestId = 5; string Algorithm = 6;
}
message EncryptRequest {
  string KeyId = 1; bytes Plaintext = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6;
}
message EncryptResponse {
  string KeyId = 1; bytes CiphertextBlob = 2; bytes Iv = 3; string RequestId = 4; string Algorithm = 5; string PaddingMode = 6;
}
message DecryptRequest {
  bytes CiphertextBlob = 1; string KeyId = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6;
}
message DecryptResponse {
  string KeyId = 1; bytes Plaintext = 2; string RequestId = 3; string Algorithm = 4; string PaddingMode = 5;
}
message Error { int32 StatusCode = 1; string ErrorCode = 2; string ErrorMessage = 3; string RequestId = 4; }
`;

/** `AdvanceGenerateDataKeyRequest` on the wire. */
export interface PbAdvanceGenerateDataKeyRequest { KeyId: string; NumberOfBytes: number; Aad: Uint8Array }
/** `AdvanceGenerateDataKeyResponse` on the wire. */
export interface PbAdvanceGenerateDataKeyResponse {
  KeyId: string; Iv: Uint8Array; Plaintext: Uint8Array; CiphertextBlob: Uint8Array;
  RequestId: string; Algorithm: string; KeyVersionId: string;
}
/** `AdvanceEncryptRequest` and `EncryptRequest` on the wire. */
export interface PbEncryptRequest {
  KeyId: string; Plaintext: Uint8Array; Algorithm: string; Aad: Uint8Array; Iv: Uint8Array; PaddingMode: string;
}
/** `AdvanceEncryptResponse` on the wire (`EncryptResponse` lacks `KeyVersionId`). */
export interface PbAdvanceEncryptResponse {
  KeyId: string; CiphertextBlob: Uint8Array; Iv: Uint8Array; RequestId: string; Algorithm: string;
  PaddingMode: string; KeyVersionId: string;
}
/** `AdvanceDecryptRequest` and `DecryptRequest` on the wire. */
export interface PbDecryptRequest {
  CiphertextBlob: Uint8Array; KeyId: string; Algorithm: string; Aad: Uint8Array; Iv: Uint8Array; PaddingMode: string;
}
/** `AdvanceDecryptResponse` on the wire (`DecryptResponse` lacks `KeyVersionId`). */
export interface PbAdvanceDecryptResponse {
  KeyId: string; Plaintext: Uint8Array; RequestId: string; Algorithm: string; PaddingMode: string; KeyVersionId: string;
}
/** `GenerateDataKeyRequest` on the wire. */
export interface PbGenerateDataKeyRequest { KeyId: string; Algorithm: string; NumberOfBytes: number; Aad: Uint8Array }
/** `GenerateDataKeyResponse` on the wire. */
export interface PbGenerateDataKeyResponse {
  KeyId: string; Iv: Uint8Array; Plaintext: Uint8Array; CiphertextBlob: Uint8Array; RequestId: string; Algorithm: string;
}
/** `Error`, the body of every 4xx/5xx answer of the instance API. */
export interface PbError { StatusCode: number; ErrorCode: string; ErrorMessage: string; RequestId: string }

/** Maps each message name to its wire shape. */
export interface InstanceMessages {
  AdvanceGenerateDataKeyRequest: PbAdvanceGenerateDataKeyRequest;
  AdvanceGenerateDataKeyResponse: PbAdvanceGenerateDataKeyResponse;
  AdvanceEncryptRequest: PbEncryptRequest;
  AdvanceEncryptResponse: PbAdvanceEncryptResponse;
  AdvanceDecryptRequest: PbDecryptRequest;
  AdvanceDecryptResponse: PbAdvanceDecryptResponse;
  GenerateDataKeyRequest: PbGenerateDataKeyRequest;
  GenerateDataKeyResponse: PbGenerateDataKeyResponse;
  EncryptRequest: PbEncryptRequest;
  EncryptResponse: Omit<PbAdvanceEncryptResponse, 'KeyVersionId'>;
  DecryptRequest: PbDecryptRequest;
  DecryptResponse: Omit<PbAdvanceDecryptResponse, 'KeyVersionId'>;
  Error: PbError;
}

/** A message name of {@link INSTANCE_API_PROTO}. */
export type InstanceMessageName = keyof InstanceMessages;

let root: protobuf.Root | undefined;

function messageType(name: InstanceMessageName): protobuf.Type {
  root ??= (requireLazily('protobufjs') as typeof protobuf).parse(INSTANCE_API_PROTO, { keepCase: true }).root;
  return root.lookupType(`api.${name}`);
}

/** Encodes a message; absent fields take their proto3 defaults (and are not written). */
export function encodeInstanceMessage<N extends InstanceMessageName>(
  name: N,
  message: Partial<InstanceMessages[N]>,
): Uint8Array {
  const type = messageType(name);
  return type.encode(type.fromObject(message)).finish();
}

/**
 * Decodes a message, every field present (absent ones get their proto3 default: `''`, `0`, empty
 * bytes). Throws protobufjs's error on malformed input; callers turn it into their own error.
 */
export function decodeInstanceMessage<N extends InstanceMessageName>(name: N, bytes: Uint8Array): InstanceMessages[N] {
  const type = messageType(name);
  const decoded = type.toObject(type.decode(bytes), { defaults: true, longs: Number });
  for (const [key, value] of Object.entries(decoded)) {
    // protobufjs hands out Node Buffers (views into its own pools); copy them into plain arrays.
    if (value instanceof Uint8Array) decoded[key] = Uint8Array.from(value);
  }
  return decoded as InstanceMessages[N];
}
