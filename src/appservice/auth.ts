/**
 * The homeserver's token: read from the `Authorization` header or the legacy
 * `access_token` query parameter, compared in constant time.
 */

const encoder = new TextEncoder();

/** SHA-256 of a string (Web Crypto: every runtime has it). */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Compares two equal-length digests without an early exit. */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The outcome of checking a request's token. */
export type AuthOutcome = 'ok' | 'missing' | 'forbidden';

/**
 * Checks the hs_token of a request. Both places count: a header token and a query token
 * must each match (so they match each other). Tokens are compared as SHA-256 digests, so the
 * time taken says nothing about the token (not even its length).
 */
export class TokenCheck {
  readonly #expected: Promise<Uint8Array>;

  constructor(hsToken: string) {
    this.#expected = sha256(hsToken);
  }

  /** A short fingerprint of the token (hex of a digest prefix), safe to keep in a store key. */
  async fingerprint(): Promise<string> {
    const digest = await this.#expected;
    let hex = '';
    for (const byte of digest.subarray(0, 8)) hex += byte.toString(16).padStart(2, '0');
    return hex;
  }

  async check(authorization: string | null | undefined, queryToken: string | null | undefined): Promise<AuthOutcome> {
    const header = bearerToken(authorization);
    const presented = [header, queryToken ?? undefined].filter((t): t is string => t !== undefined);
    if (presented.length === 0) return 'missing';
    const expected = await this.#expected;
    let ok = true;
    for (const token of presented) {
      // Every presented token is digested and compared: no early exit.
      if (!digestsEqual(await sha256(token), expected)) ok = false;
    }
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
