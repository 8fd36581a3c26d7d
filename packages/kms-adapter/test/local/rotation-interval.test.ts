import { describe, expect, test } from 'vitest';
import { formatRotationInterval, parseRotationInterval } from '../../src/local/rotation-interval.js';

describe('rotation interval', () => {
  test('accepts d, h, m and s units between 7 and 365 days', () => {
    expect(parseRotationInterval('7d')).toBe(604_800);
    expect(parseRotationInterval('168h')).toBe(604_800);
    expect(parseRotationInterval('10080m')).toBe(604_800);
    expect(parseRotationInterval('604800s')).toBe(604_800);
    expect(parseRotationInterval('365d')).toBe(31_536_000);
    expect(parseRotationInterval('31536000s')).toBe(31_536_000);
    expect(formatRotationInterval(604_800)).toBe('604800s');
  });

  test.each(['6d', '604799s', '366d', '31536001s', '8760h1', '7', 'd', '7 d', '7D', '-7d', '7.5d', '', '9999999999999d'])(
    'rejects %j with InvalidParameter RotationInterval',
    (text) => {
      expect(() => parseRotationInterval(text)).toThrow(
        expect.objectContaining({ httpStatus: 400, code: 'InvalidParameter', message: 'The specified parameter "RotationInterval" is not valid.' }),
      );
    },
  );

  test('rejects a non-string', () => {
    expect(() => parseRotationInterval(7)).toThrow(expect.objectContaining({ code: 'InvalidParameter' }));
  });
});
