/**
 * Which key made an advance blob: the blob names its key version (`<key id>-<version>`), and
 * the key id is that name less its last `-` part.
 *
 * @module
 */
import { decodeAdvanceBlob } from '@dek/core';

/** The key id inside an advance blob, or undefined when `blob` is not one. */
export function blobKeyId(blob: unknown): string | undefined {
  if (!(blob instanceof Uint8Array)) return undefined;
  let versionId: string;
  try {
    versionId = decodeAdvanceBlob(blob).keyVersionId;
  } catch {
    return undefined;
  }
  return versionKeyId(versionId);
}

/** The key id a key version id names: the version id less its last `-` part. */
export function versionKeyId(versionId: string): string {
  const dash = versionId.lastIndexOf('-');
  return dash > 0 ? versionId.slice(0, dash) : versionId;
}
