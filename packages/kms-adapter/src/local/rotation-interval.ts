/**
 * Rotation periods as Alibaba's `RotationInterval`: `<integer><unit>` with unit `d`, `h`, `m` or
 * `s`, from 7 to 365 days whatever the unit. Reported back in seconds (`"604800s"`).
 *
 * @module
 */
import { invalidParameter } from './faults.js';

/** Shortest rotation period: 7 days, in seconds. */
export const MIN_ROTATION_INTERVAL_SECONDS = 7 * 86_400;
/** Longest rotation period: 365 days, in seconds. */
export const MAX_ROTATION_INTERVAL_SECONDS = 365 * 86_400;

const UNIT_SECONDS: Readonly<Record<string, number>> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const INTERVAL = /^([0-9]{1,12})([dhms])$/;

/**
 * Parses `text` (e.g. `7d`, `168h`, `604800s`) into seconds. Throws 400 `InvalidParameter`
 * (`RotationInterval`) on any other form or outside 7..365 days.
 */
export function parseRotationInterval(text: unknown): number {
  const match = typeof text === 'string' ? INTERVAL.exec(text) : null;
  if (match === null) throw invalidParameter('RotationInterval');
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  if (seconds < MIN_ROTATION_INTERVAL_SECONDS || seconds > MAX_ROTATION_INTERVAL_SECONDS) {
    throw invalidParameter('RotationInterval');
  }
  return seconds;
}

/** Formats seconds the way DescribeKey reports them: `"604800s"`. */
export function formatRotationInterval(seconds: number): string {
  return `${seconds}s`;
}
