/**
 * The protobuf messages the server's KMS instance API (`dkms-gcs-0.2`) reads and writes, with the
 * field numbers of the official `api.proto` of Alibaba's dkms-gcs SDKs. Shipped as a .proto
 * source string, compiled once by protobufjs.
 *
 * @module
 */
import protobuf from 'protobufjs';

/** The proto3 source (the subset of the official `api.proto` this server speaks). */
export const INSTANCE_PROTO = `
syntax = "proto3";
package api;
message AdvanceGenerateDataKeyRequest { string KeyId = 1; int32 NumberOfBytes = 2; bytes Aad = 3; }
message AdvanceGenerateDataKeyResponse { string KeyId = 1; bytes Iv = 2; bytes Plaintext = 3; bytes CiphertextBlob = 4; string RequestId = 5; string Algorithm = 6; string KeyVersionId = 7; }
message AdvanceEncryptRequest { string KeyId = 1; bytes Plaintext = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6; }
message AdvanceEncryptResponse { string KeyId = 1; bytes CiphertextBlob = 2; bytes Iv = 3; string RequestId = 4; string Algorithm = 5; string PaddingMode = 6; string KeyVersionId = 7; }
message AdvanceDecryptRequest { bytes CiphertextBlob = 1; string KeyId = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6; }
message AdvanceDecryptResponse { string KeyId = 1; bytes Plaintext = 2; string RequestId = 3; string Algorithm = 4; string PaddingMode = 5; string KeyVersionId = 6; }
message GenerateDataKeyRequest { string KeyId = 1; string Algorithm = 2; int32 NumberOfBytes = 3; bytes Aad = 4; }
message GenerateDataKeyResponse { string KeyId = 1; bytes Iv = 2; bytes Plaintext = 3; bytes CiphertextBlob = 4; string RequestId = 5; string Algorithm = 6; }
message EncryptRequest { string KeyId = 1; bytes Plaintext = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6; }
message EncryptResponse { string KeyId = 1; bytes CiphertextBlob = 2; bytes Iv = 3; string RequestId = 4; string Algorithm = 5; string PaddingMode = 6; }
message DecryptRequest { bytes CiphertextBlob = 1; string KeyId = 2; string Algorithm = 3; bytes Aad = 4; bytes Iv = 5; string PaddingMode = 6; }
message DecryptResponse { string KeyId = 1; bytes Plaintext = 2; string RequestId = 3; string Algorithm = 4; string PaddingMode = 5; }
message Error { int32 StatusCode = 1; string ErrorCode = 2; string ErrorMessage = 3; string RequestId = 4; }
`;

/** A decoded message: field name -> string, number or bytes (every field present, proto3 defaults). */
export type Message = Record<string, string | number | Uint8Array>;

let root: protobuf.Root | undefined;

function messageType(name: string): protobuf.Type {
  root ??= protobuf.parse(INSTANCE_PROTO, { keepCase: true }).root;
  return root.lookupType(`api.${name}`);
}

/** Encodes message `name` (absent fields are left out, i.e. take their defaults). */
export function encodeMessage(name: string, fields: Message): Uint8Array {
  const type = messageType(name);
  return type.encode(type.fromObject(fields)).finish();
}

/** Decodes message `name`; bytes fields are copied out of the input. Throws on malformed input. */
export function decodeMessage(name: string, bytes: Uint8Array): Message {
  const type = messageType(name);
  const decoded = type.toObject(type.decode(bytes), { defaults: true, longs: Number }) as Message;
  for (const [key, value] of Object.entries(decoded)) {
    if (value instanceof Uint8Array) decoded[key] = Uint8Array.from(value);
  }
  return decoded;
}
