/**
 * Properties of the policy file reader: its JSON parser reads every JSON text as `JSON.parse`
 * does, and any text at all either parses into a policy set or is refused with a
 * `PolicyFileError` naming a line and column inside the text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyFileError, PolicySet } from '@dek/kms-server';
import { parseJsonSource, type JsonNode } from '../src/policy/json-source.js';

/** A parsed node back as a plain value. */
function plain(node: JsonNode): unknown {
  if (node.kind === 'object') return Object.fromEntries([...node.entries].map(([k, v]) => [k, plain(v)]));
  if (node.kind === 'array') return node.items.map(plain);
  return node.value;
}

describe('the policy file reader', () => {
  it('reads any JSON text as JSON.parse does (objects without duplicate keys)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(plain(parseJsonSource(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses what JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (!valid) expect(() => parseJsonSource(text)).toThrow();
      }),
    );
  });

  it('parses any text into a policy set or refuses it with a PolicyFileError inside the text', () => {
    const fragments = fc.constantFrom('{', '}', '[', ']', ',', ':', '"Version"', '"1"', '"2012-10-17"', '"Statement"', '"Effect"', '"Allow"', '"Deny"', '"Action"', '"kms:*"', '"Resource"', '"*"', '"acs:kms:*:*:key/*"', '"A"', ' ', '\n', '1', 'null');
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        try {
          PolicySet.parse(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyFileError);
          const { line, column } = error as PolicyFileError;
          const lines = text.split('\n');
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(lines.length);
          expect(column).toBeGreaterThanOrEqual(1);
          expect(column).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
        }
      }),
    );
  });
});
