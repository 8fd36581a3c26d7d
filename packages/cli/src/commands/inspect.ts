/**
 * `dek inspect <file>`: the envelope header as text or JSON, read without any KMS call (so it is
 * reported as not authenticated).
 *
 * @module
 */
import { inspect, type EnvelopeInfo } from '@dek/stream';
import type { Context } from '../context.js';
import { isStdio, openFile, openInput } from '../io/input.js';
import { printJson, printLines } from '../print.js';
import { needsEscape } from '../terminal-escape.js';

/** Quotes a header string when it is empty or holds characters that are unsafe or ambiguous on a terminal (printLines escapes them). */
export function safeText(text: string): string {
  return /^[^\s=,"]+$/u.test(text) && !needsEscape(text) ? text : JSON.stringify(text);
}

function textLines(label: string, info: EnvelopeInfo): string[] {
  const pairs = Object.entries(info.context);
  const lines = [
    `file:       ${label}`,
    `format:     dek envelope v${info.version} (header not authenticated: inspect uses no key)`,
    `suite:      ${info.suite}`,
    `context:    ${pairs.length === 0 ? '(empty)' : pairs.map(([k, v]) => `${safeText(k)}=${safeText(v)}`).join(', ')}`,
    `slots:      ${info.slots.length}`,
    ...info.slots.map(
      (slot, i) =>
        `  [${i}] ${safeText(slot.kms)} key ${safeText(slot.keyId)} version ${slot.keyVersionId === undefined ? '(not recorded)' : safeText(slot.keyVersionId)}${slot.algorithm ? ` ${safeText(slot.algorithm)}` : ''}`,
    ),
    `header:     ${info.headerLength} bytes`,
  ];
  if (info.payloadLength !== undefined) lines.push(`payload:    ${info.payloadLength} bytes`);
  if (info.payloadLength !== undefined) {
    lines.push(`plaintext:  ${info.plaintextLength === undefined ? 'impossible payload length: the file is truncated or has extra bytes' : `${info.plaintextLength} bytes`}`);
  }
  return lines;
}

/** Runs `dek inspect <file>`. */
export async function runInspect(_context: Context, file: string, flags: { json?: boolean }): Promise<void> {
  let info: EnvelopeInfo;
  let label: string;
  if (isStdio(file)) {
    const input = await openInput(undefined, 'dek file');
    label = input.label;
    try {
      info = await inspect(input.stream);
    } finally {
      input.stream.destroy();
    }
  } else {
    label = file;
    const handle = await openFile(file);
    try {
      info = await inspect(handle);
    } finally {
      await handle.close();
    }
  }
  if (flags.json) printJson({ file: label, ...info });
  else printLines(textLines(label, info));
}
