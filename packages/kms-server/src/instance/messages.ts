/**
 * The protobuf messages of the KMS instance API (`dkms-gcs-0.2`), shared with the client in
 * @dek/kms-alibaba so that server and client cannot drift apart. The server routes by action
 * name at run time, so it sees messages as plain records.
 *
 * @module
 */
import {
  decodeInstanceMessage,
  encodeInstanceMessage,
  INSTANCE_API_PROTO,
  type InstanceMessageName,
} from '@dek/kms-alibaba';

/** The proto3 source of the instance API messages. */
export const INSTANCE_PROTO = INSTANCE_API_PROTO;

/** A decoded message: field name -> string, number or bytes (every field present, proto3 defaults). */
export type Message = Record<string, string | number | Uint8Array>;

// Names come from the authenticated `x-kms-apiname`, already checked against the served actions.
const messageName = (name: string) => name as InstanceMessageName;

/** Encodes message `name` (absent fields are left out, i.e. take their defaults). */
export function encodeMessage(name: string, fields: Message): Uint8Array {
  return encodeInstanceMessage(messageName(name), fields);
}

/** Decodes message `name`; bytes fields are copied out of the input. Throws on malformed input. */
export function decodeMessage(name: string, bytes: Uint8Array): Message {
  return decodeInstanceMessage(messageName(name), bytes) as unknown as Message;
}
