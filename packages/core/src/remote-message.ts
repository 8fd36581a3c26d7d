/**
 * Making what a remote service said safe to carry in an error. Gateways echo request content
 * back: Alibaba's `SignatureDoesNotMatch` quotes its string to sign (every query parameter, a
 * `Plaintext` data key included), AWS's `InvalidSignatureException` its canonical request, and
 * HTTP client libraries put the request URL, query and all, in their network errors. dek copies
 * no such text into its errors: only what {@link safeRemoteMessage} leaves.
 *
 * @module
 */

/** Longest remote message kept, in characters. */
export const MAX_REMOTE_MESSAGE_LENGTH = 300;

/** Where an echo of the signed request starts: everything from here on is dropped. */
const ECHO = /(?:\b(?:the|server)\s+)?(?:string[\s_-]*to[\s_-]*sign|canonical[\s_-]*(?:request|string))/i;

/** A query string (after `?` in a URL or request target). */
const QUERY = /\?[^\s'"]+/g;

/**
 * A run of base64 / hex characters long enough to be key or blob bytes: 22 is the shortest run
 * of a 16-byte key (base64 without its padding); a KMS key id's 21 characters stay readable.
 */
const LONG_RUN = /[A-Za-z0-9+/]{22,}={0,2}/g;

/** Control characters (newline aside) and bidirectional overrides: a remote text must not steer a terminal. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * True for a run that looks like encoded bytes rather than a word, a code or a path: it has a
 * digit or `+`, or a `/` inside a mixed-case run that does not start like an absolute path.
 */
const looksEncoded = (run: string): boolean =>
  /[\d+]/.test(run) || (run.includes('/') && !run.startsWith('/') && /[a-z]/.test(run) && /[A-Z]/.test(run));

/**
 * A remote service's message, safe to put in an error: cut before any echo of the string to sign
 * or canonical request, URL queries and long base64/hex runs replaced by `<redacted>`, control
 * characters (but newlines) by U+FFFD, and at most {@link MAX_REMOTE_MESSAGE_LENGTH} characters
 * (`…` marks a cut).
 */
export function safeRemoteMessage(message: string): string {
  const echo = message.search(ECHO);
  let text = (echo < 0 ? message : message.slice(0, echo)).trimEnd();
  text = text
    .replace(QUERY, '?<redacted>')
    .replace(LONG_RUN, (run) => (looksEncoded(run) ? '<redacted>' : run))
    .replace(CONTROL, '\ufffd');
  if (echo >= 0) text = `${text.replace(/[\s:.,;-]+$/, '')} (echo of the signed request removed)`;
  return text.length > MAX_REMOTE_MESSAGE_LENGTH ? `${text.slice(0, MAX_REMOTE_MESSAGE_LENGTH - 1)}…` : text;
}

/** A remote error code, or request id, kept when it is a plain token (`Forbidden.KeyNotFound`) or empty, else `Unknown`. */
export function safeRemoteCode(code: string): string {
  return /^[A-Za-z0-9._:-]{0,100}$/.test(code) ? code : 'Unknown';
}
