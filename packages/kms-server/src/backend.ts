/**
 * What the server needs from the KMS behind it: the crypto calls and key administration.
 * `LocalKms` of `@dek/kms-adapter` is one.
 *
 * @module
 */
import type { KeyAdministration, KeyManagementService } from '@dek/kms-adapter';

/** The KMS the server answers from. */
export type KmsBackend = KeyManagementService & KeyAdministration;
