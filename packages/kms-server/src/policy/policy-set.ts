/**
 * A policy file: for each credential id (OpenAPI AccessKeyId, AWS access key id, instance
 * ClientKey id), an identity policy in its cloud's own grammar:
 *
 * - Alibaba Cloud RAM, `"Version": "1"`, resources `acs:kms:<region>:<account>:key/<key-id>`
 *   (or `alias/<name>`), for OpenAPI and instance credentials;
 * - AWS IAM, `"Version": "2012-10-17"`, resources `arn:aws:kms:<region>:<account>:key/<key-id>`,
 *   for AWS credentials.
 *
 * Statements take `Effect`, `Action`, `Resource` (a string or a list, `*` and `?` wildcards) and
 * `Sid`. The whole file is checked when parsed; the first problem is a {@link PolicyFileError}
 * naming its line and column. Deciding: an explicit `Deny` wins, then an `Allow`, and anything
 * not allowed, or asked by a credential the file does not name, is denied.
 *
 * @module
 */
import { ArgumentError } from '@dek/core';
import { actionProblem, globPattern, type PolicyGrammar } from './actions.js';
import { JsonSyntaxError, parseJsonSource, positionOf, safeJson, type JsonNode } from './json-source.js';

/** A policy file that cannot be used (`DEK_ARGUMENT`), with the 1-based line and column of the problem, also in `details`. */
export class PolicyFileError extends ArgumentError {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${message}`, { field: 'policy', line, column });
    this.line = line;
    this.column = column;
  }
}

/** The outcome for one request: allowed, or denied explicitly (a `Deny` matched) or implicitly. */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

interface Statement {
  readonly allow: boolean;
  readonly actions: readonly RegExp[];
  readonly resources: readonly RegExp[];
}

interface Policy {
  readonly statements: readonly Statement[];
  /** Whether any resource could name an alias: only then are a key's aliases looked up. */
  readonly namesAliases: boolean;
}

const VERSIONS: ReadonlyMap<string, PolicyGrammar> = new Map([
  ['1', 'ram'],
  ['2012-10-17', 'iam'],
  ['2008-10-17', 'iam'],
]);
const UNSUPPORTED = new Set(['Condition', 'NotAction', 'NotResource', 'Principal', 'NotPrincipal']);
const ARN_SHAPE: Readonly<Record<PolicyGrammar, string>> = {
  ram: 'acs:kms:<region>:<account>:key/<key-id>',
  iam: 'arn:aws:kms:<region>:<account>:key/<key-id>',
};
const RAM_RESOURCE = /^acs:kms:([^:]*):([^:]*):(.+)$/;
const IAM_RESOURCE = /^arn:(aws|aws-cn|aws-us-gov|\*):kms:([^:]*):([^:]*):(.+)$/;
const REGION = /^[a-z0-9*?-]*$/;
const ACCOUNT = /^[0-9*?]*$/;
/** `key`, `key/<id>`, `alias`, `alias/<name>`, or anything with a wildcard. */
const RESOURCE_PATH = /^(?:(?:key|alias)(?:\/.+)?|.*[*?].*)$/;

function resourceProblem(resource: string, grammar: PolicyGrammar): string | undefined {
  if (resource === '*') return undefined;
  const m = grammar === 'ram' ? RAM_RESOURCE.exec(resource) : IAM_RESOURCE.exec(resource);
  const [region, account, path] = grammar === 'ram' ? [m?.[1], m?.[2], m?.[3]] : [m?.[2], m?.[3], m?.[4]];
  if (m === null || !REGION.test(region!) || !ACCOUNT.test(account!) || !RESOURCE_PATH.test(path!)) {
    return `${safeJson(resource)} is not a KMS resource of ${grammar === 'ram' ? 'Alibaba Cloud RAM' : 'AWS IAM'} (${ARN_SHAPE[grammar]}, .../alias/<name>, or *)`;
  }
  return undefined;
}

/** The set of policies of a server, by credential id. Immutable: reloading makes a new one. */
export class PolicySet {
  readonly #policies: ReadonlyMap<string, Policy>;

  private constructor(policies: ReadonlyMap<string, Policy>) {
    this.#policies = policies;
  }

  /** Parses and checks a policy file's text; throws {@link PolicyFileError} at the first problem. */
  static parse(text: string): PolicySet {
    const fail = (message: string, at: number): never => {
      const { line, column } = positionOf(text, at);
      throw new PolicyFileError(message, line, column);
    };
    let root: JsonNode;
    try {
      root = parseJsonSource(text);
    } catch (error) {
      if (error instanceof JsonSyntaxError) return fail(`not valid JSON: ${error.message}`, error.offset);
      throw error;
    }
    if (root.kind !== 'object') return fail('the policy file must be a JSON object: credential id -> policy document', root.at);
    const policies = new Map<string, Policy>();
    for (const [credentialId, document] of root.entries) {
      policies.set(credentialId, compile(document, credentialId, fail));
    }
    return new PolicySet(policies);
  }

  /** The credential ids the file names. */
  get credentialIds(): readonly string[] {
    return [...this.#policies.keys()];
  }

  /** Whether `credentialId`'s policy has a resource that could name an alias. */
  namesAliases(credentialId: string): boolean {
    return this.#policies.get(credentialId)?.namesAliases ?? false;
  }

  /**
   * Whether `credentialId` may perform `action` (`kms:Decrypt`) on a resource known by any of
   * `resources` (a key's ARN and the ARNs of its aliases, or `*` / an account resource).
   */
  decide(credentialId: string, action: string, resources: readonly string[]): PolicyDecision {
    const policy = this.#policies.get(credentialId);
    if (policy === undefined) return 'implicit-deny';
    let allowed = false;
    for (const s of policy.statements) {
      const matches = s.actions.some((a) => a.test(action)) && s.resources.some((r) => resources.some((name) => r.test(name)));
      if (!matches) continue;
      if (!s.allow) return 'explicit-deny';
      allowed = true;
    }
    return allowed ? 'allow' : 'implicit-deny';
  }
}

type Fail = (message: string, at: number) => never;

function compile(document: JsonNode, credentialId: string, fail: Fail): Policy {
  const where = `policy of ${safeJson(credentialId)}`;
  if (document.kind !== 'object') return fail(`the ${where} must be an object with Version and Statement`, document.at);
  for (const [name, node] of document.entries) {
    if (name !== 'Version' && name !== 'Statement' && name !== 'Id') fail(`${where}: unknown member ${safeJson(name)}`, node.at);
  }
  const version = document.entries.get('Version');
  const grammar = version?.kind === 'string' ? VERSIONS.get(version.value) : undefined;
  if (grammar === undefined) {
    return fail(`${where}: Version must be "1" (Alibaba Cloud RAM) or "2012-10-17" (AWS IAM)`, version?.at ?? document.at);
  }
  const statementNode = document.entries.get('Statement');
  if (statementNode === undefined) return fail(`${where}: Statement is missing`, document.at);
  const nodes = statementNode.kind === 'array' ? statementNode.items : statementNode.kind === 'object' && grammar === 'iam' ? [statementNode] : undefined;
  if (nodes === undefined || nodes.length === 0) return fail(`${where}: Statement must be a non-empty list of statements`, statementNode.at);
  const statements = nodes.map((node, i) => statement(node, `${where}, Statement[${i}]`, grammar, fail));
  const namesAliases = nodes.some((node) => node.kind === 'object' && strings(node.entries.get('Resource')).some((r) => r === '*' || /alias|[*?]/.test(r)));
  return { statements, namesAliases };
}

/** The strings of a string-or-list member (already checked). */
function strings(node: JsonNode | undefined): string[] {
  if (node?.kind === 'string') return [node.value];
  if (node?.kind === 'array') return node.items.flatMap((n) => (n.kind === 'string' ? [n.value] : []));
  return [];
}

function statement(node: JsonNode, where: string, grammar: PolicyGrammar, fail: Fail): Statement {
  if (node.kind !== 'object') return fail(`${where} must be an object with Effect, Action and Resource`, node.at);
  for (const [name, value] of node.entries) {
    if (UNSUPPORTED.has(name)) fail(`${where}: ${name} is not supported by dek serve`, value.at);
    if (!['Effect', 'Action', 'Resource', 'Sid'].includes(name)) fail(`${where}: unknown member ${safeJson(name)}`, value.at);
  }
  const sid = node.entries.get('Sid');
  if (sid !== undefined && sid.kind !== 'string') fail(`${where}: Sid must be a string`, sid.at);
  const effect = node.entries.get('Effect');
  if (effect?.kind !== 'string' || (effect.value !== 'Allow' && effect.value !== 'Deny')) {
    return fail(`${where}: Effect must be "Allow" or "Deny"`, effect?.at ?? node.at);
  }
  const list = (name: string, check: (value: string) => string | undefined): string[] => {
    const member = node.entries.get(name);
    if (member === undefined) return fail(`${where}: ${name} is missing`, node.at);
    const items = member.kind === 'array' ? member.items : [member];
    if (items.length === 0) fail(`${where}: ${name} is an empty list`, member.at);
    return items.map((item, i) => {
      const at = member.kind === 'array' ? `${name}[${i}]` : name;
      if (item.kind !== 'string') return fail(`${where}: ${at} must be a string`, item.at);
      const problem = check(item.value);
      if (problem !== undefined) fail(`${where}: ${at} ${problem}`, item.at);
      return item.value;
    });
  };
  const actions = list('Action', (a) => actionProblem(a, grammar));
  const resources = list('Resource', (r) => resourceProblem(r, grammar));
  return {
    allow: effect.value === 'Allow',
    actions: actions.map((a) => globPattern(a, true)),
    resources: resources.map((r) => globPattern(r, false)),
  };
}
