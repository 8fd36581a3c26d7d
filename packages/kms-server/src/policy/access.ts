/**
 * The server's access control: the current policy set (swapped whole on reload, so a request is
 * checked against one policy from start to end) and, per request, the backend its action may use.
 *
 * @module
 */
import type { KmsBackend } from '../backend.js';
import type { AwsScope } from '../aws/ids.js';
import type { Dialect } from '../audit/audit-entry.js';
import { awsDenied, instanceDenied, openApiDenied, ramNames, iamNames, type AlibabaScope } from './dialects.js';
import { guardBackend, type Denial, type RequestTrace, type ResourceNames } from './guard.js';
import type { PolicySet } from './policy-set.js';

/** The backend a dialect's action uses, once the request's credential and action are known. */
export type BackendFor = (credentialId: string, action: string) => KmsBackend;

/** Options of {@link AccessControl}. */
export interface AccessControlOptions {
  readonly kms: KmsBackend;
  readonly policy: PolicySet | undefined;
  readonly alibaba: AlibabaScope;
  readonly aws: AwsScope;
  /** Record what each request did (for the audit log) even without a policy. */
  readonly trace: boolean;
}

/** Access control of one server. */
export class AccessControl {
  #policy: PolicySet | undefined;
  readonly #options: AccessControlOptions;
  readonly #dialects: Readonly<Record<Dialect, { readonly names: ResourceNames; readonly deny: (denial: Denial) => Error }>>;

  constructor(options: AccessControlOptions) {
    this.#options = options;
    this.#policy = options.policy;
    const ram = ramNames(options.alibaba);
    this.#dialects = {
      openapi: { names: ram, deny: openApiDenied },
      instance: { names: ram, deny: instanceDenied },
      aws: { names: iamNames(options.aws), deny: awsDenied(options.aws) },
    };
  }

  /** Replaces the policy; requests already being served keep the one they started with. */
  setPolicy(policy: PolicySet): void {
    this.#policy = policy;
  }

  /** The backend of one request of `dialect`; `trace` learns its credential, action and key. */
  backendFor(dialect: Dialect, trace: RequestTrace): BackendFor {
    const policy = this.#policy;
    const { kms } = this.#options;
    if (policy === undefined && !this.#options.trace) return () => kms;
    return (credentialId, action) => guardBackend({ kms, policy, trace, ...this.#dialects[dialect] }, credentialId, action);
  }
}
