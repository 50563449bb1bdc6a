/**
 * The homeserver's token: read from the `Authorization` header or the legacy
 * `access_token` query parameter, compared in constant time.
 */

const encoder = new TextEncoder();

/** SHA-256 of a string (Web Crypto: every runtime has it). */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * Compares a presented token with the expected one without an early exit: every byte of the
 * expected token is compared, whatever the presented one holds, so the time taken depends on
 * the expected token's length only (which the homeserver knows anyway).
 */
function tokensEqual(presented: Uint8Array, expected: Uint8Array): boolean {
  let diff = presented.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ (presented[i] ?? 0);
  return diff === 0;
}

/** The outcome of checking a request's token. */
export type AuthOutcome = 'ok' | 'missing' | 'forbidden';

/**
 * Checks the hs_token of a request, from the `Authorization` header and the legacy
 * `access_token` query parameter, in constant time.
 */
export class TokenCheck {
  readonly #expected: Uint8Array;
  readonly #fingerprint: Promise<Uint8Array>;

  constructor(hsToken: string) {
    this.#expected = encoder.encode(hsToken);
    this.#fingerprint = sha256(hsToken);
  }

  /** A short fingerprint of the token (hex of a digest prefix), safe to keep in a store key. */
  async fingerprint(): Promise<string> {
    const digest = await this.#fingerprint;
    let hex = '';
    for (const byte of digest.subarray(0, 8)) hex += byte.toString(16).padStart(2, '0');
    return hex;
  }

  /** Checks the tokens of a request: a header token and a query token must each match (so they match each other). */
  check(authorization: string | null | undefined, queryToken: string | null | undefined): AuthOutcome {
    const header = bearerToken(authorization);
    const query = queryToken ?? undefined;
    if (header === undefined && query === undefined) return 'missing';
    let ok = true;
    // Every presented token is compared in full: no early exit.
    if (header !== undefined && !tokensEqual(encoder.encode(header), this.#expected)) ok = false;
    if (query !== undefined && !tokensEqual(encoder.encode(query), this.#expected)) ok = false;
    return ok ? 'ok' : 'forbidden';
  }
}

/** The token of a `Bearer` header (scheme case-insensitive); `undefined` when there is none. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (authorization === null || authorization === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  // A header of another scheme (or a malformed one) presents a token that cannot match.
  return match === null ? authorization : match[1];
}
