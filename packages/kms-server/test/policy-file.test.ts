/**
 * Policy files: both grammars parse, every problem is refused with its line and column, and the
 * decision follows the clouds' rules (explicit Deny wins, wildcards, default deny).
 */
import { describe, expect, it } from 'vitest';
import { PolicyFileError, PolicySet } from '@dek/kms-server';
import { AWS_ACTIONS } from '../src/aws/actions.js';
import { INSTANCE_ACTIONS } from '../src/instance/actions.js';
import { OPENAPI_ACTIONS } from '../src/openapi/actions.js';
import { KNOWN_ACTIONS, policyAction } from '../src/policy/actions.js';

const KEY = 'acs:kms:local:0:key/key-aaaaaaaaaaaaaaaaaaaaa';
const AWS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/key-aaaaaaaaaaaaaaaaaaaaa';

const file = (policies: Record<string, unknown>): string => JSON.stringify(policies, null, 2);
const ram = (...Statement: unknown[]) => ({ Version: '1', Statement });
const iam = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

function refusal(text: string): PolicyFileError {
  try {
    PolicySet.parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyFileError);
    return error as PolicyFileError;
  }
  throw new Error('the policy file was accepted');
}

describe('PolicySet.parse', () => {
  it('reads both grammars and decides per credential', () => {
    const set = PolicySet.parse(
      file({
        LTAI: ram({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Advance*'], Resource: ['acs:kms:*:*:key/*'] }),
        AKIA: iam({ Effect: 'Allow', Action: 'kms:GenerateDataKey*', Resource: 'arn:aws:kms:us-east-1:*:key/*' }),
      }),
    );
    expect(set.credentialIds).toEqual(['LTAI', 'AKIA']);
    expect(set.decide('LTAI', 'kms:Encrypt', [KEY])).toBe('allow');
    expect(set.decide('LTAI', 'kms:AdvanceDecrypt', [KEY])).toBe('allow');
    expect(set.decide('LTAI', 'kms:encrypt', [KEY])).toBe('allow'); // actions ignore case
    expect(set.decide('LTAI', 'kms:Decrypt', [KEY])).toBe('implicit-deny');
    expect(set.decide('LTAI', 'kms:ListKeys', ['acs:kms:local:0:key'])).toBe('implicit-deny');
    expect(set.decide('AKIA', 'kms:GenerateDataKeyWithoutPlaintext', [AWS_KEY])).toBe('allow');
    expect(set.decide('AKIA', 'kms:GenerateDataKey', ['arn:aws:kms:eu-west-1:111122223333:key/k'])).toBe('implicit-deny');
    expect(set.decide('NOBODY', 'kms:Encrypt', [KEY])).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over any Allow, and matches a key by any of its names', () => {
    const set = PolicySet.parse(
      file({
        AKIA: iam(
          { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
          { Sid: 'no-restore', Effect: 'Deny', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:alias/backup' },
        ),
      }),
    );
    expect(set.decide('AKIA', 'kms:Decrypt', [AWS_KEY])).toBe('allow');
    expect(set.decide('AKIA', 'kms:Decrypt', [AWS_KEY, 'arn:aws:kms:us-east-1:111122223333:alias/backup'])).toBe('explicit-deny');
    expect(set.decide('AKIA', 'kms:Encrypt', [AWS_KEY, 'arn:aws:kms:us-east-1:111122223333:alias/backup'])).toBe('allow');
  });

  it('accepts a single IAM statement object', () => {
    const set = PolicySet.parse(file({ AKIA: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } } }));
    expect(set.decide('AKIA', 'kms:Encrypt', [AWS_KEY])).toBe('allow');
  });

  it('names the line and column of an unknown action', () => {
    const text = file({ LTAI: ram({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Frobnicate'], Resource: '*' }) });
    const e = refusal(text);
    const line = text.split('\n').findIndex((l) => l.includes('kms:Frobnicate')) + 1;
    expect({ line: e.line, column: e.column }).toEqual({ line, column: text.split('\n')[line - 1]!.indexOf('"kms:Frobnicate"') + 1 });
    expect(e.message).toMatch(/^line \d+, column \d+: policy of "LTAI", Statement\[0\]: Action\[1\] "kms:Frobnicate" is not a KMS action/);
  });

  it('refuses a wildcard that matches no action, an action of the other cloud, and a non-KMS action', () => {
    expect(refusal(file({ A: ram({ Effect: 'Allow', Action: 'kms:Generte*', Resource: '*' }) })).message).toContain('"kms:Generte*" is not a KMS action');
    expect(refusal(file({ A: iam({ Effect: 'Allow', Action: 'kms:AdvanceEncrypt', Resource: '*' }) })).message).toContain('of AWS IAM');
    expect(refusal(file({ A: ram({ Effect: 'Allow', Action: 'ecs:DescribeInstances', Resource: '*' }) })).message).toContain('start with "kms:"');
  });

  it('refuses malformed resources, naming the line', () => {
    for (const [doc, resource] of [
      [ram, 'acs:kms:cn-hangzhou:123:secret'],
      [ram, 'arn:aws:kms:us-east-1:111122223333:key/k'],
      [ram, 'acs:kms:key/k'],
      [iam, 'arn:aws:kms:us-east-1:ACCOUNT:key/k'],
      [iam, 'acs:kms:*:*:key/*'],
      [iam, 'arn:aws:s3:::bucket'],
    ] as const) {
      const text = file({ A: doc({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: ['*', resource] }) });
      const e = refusal(text);
      expect(e.line).toBe(text.split('\n').findIndex((l) => l.includes(JSON.stringify(resource))) + 1);
      expect(e.message).toContain(`Resource[1] ${JSON.stringify(resource)} is not a KMS resource`);
    }
  });

  it('refuses what it cannot honour or does not know: Condition, NotAction, unknown members, bad Effect or Version', () => {
    const cases: Array<[unknown, string]> = [
      [ram({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: {} }), 'Condition is not supported'],
      [ram({ Effect: 'Allow', NotAction: 'kms:Encrypt', Resource: '*' }), 'NotAction is not supported'],
      [ram({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Resources: '*' }), 'unknown member "Resources"'],
      [ram({ Effect: 'allow', Action: 'kms:Encrypt', Resource: '*' }), 'Effect must be "Allow" or "Deny"'],
      [ram({ Effect: 'Allow', Resource: '*' }), 'Action is missing'],
      [ram({ Effect: 'Allow', Action: [], Resource: '*' }), 'Action is an empty list'],
      [ram({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: 7 }), 'Resource must be a string'],
      [{ Version: '2', Statement: [] }, 'Version must be "1"'],
      [{ Version: 'toString', Statement: [] }, 'Version must be "1"'],
      [{ Version: '1', Statement: [] }, 'Statement must be a non-empty list'],
      [{ Version: '1', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, 'Statement must be a non-empty list'],
      ['just text', 'must be an object'],
    ];
    for (const [doc, message] of cases) expect(refusal(file({ A: doc })).message).toContain(message);
    expect(refusal('[]').message).toContain('must be a JSON object');
  });

  it('refuses JSON syntax errors and duplicate members at their position', () => {
    const broken = refusal('{\n  "A": {"Version": "1",\n    "Statement": [}\n}');
    expect({ line: broken.line, column: broken.column }).toEqual({ line: 3, column: 19 });
    const duplicate = refusal('{\n  "A": {"Version": "1", "Statement": []},\n  "A": {"Version": "1", "Statement": []}\n}');
    expect(duplicate.line).toBe(3);
    expect(duplicate.message).toContain('duplicate member "A"');
    expect(refusal('{"A": 1} x').message).toContain('unexpected text');
    expect(refusal('').message).toContain('unexpected end');
  });
});

describe('action names', () => {
  it('every action served has a policy action a policy file may name', () => {
    for (const action of [...OPENAPI_ACTIONS.keys(), ...INSTANCE_ACTIONS.keys()]) expect(KNOWN_ACTIONS.ram).toContain(policyAction(action, 'any'));
    for (const action of AWS_ACTIONS.keys()) {
      for (const method of ['advanceEncrypt', 'advanceDecrypt', 'describeKey']) expect(KNOWN_ACTIONS.iam).toContain(policyAction(action, method));
    }
  });
});
