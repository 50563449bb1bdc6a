import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';

/**
 * A chain that the route table does not hold: an unknown segment, a verb the
 * operation does not have, or a missing path parameter. Thrown before any request.
 *
 * @example
 * ```ts
 * try { (client.api.rooms(roomId) as any).bann; }
 * catch (error) { if (error instanceof InvalidEndpointError) console.log(error.suggestion); } // 'ban'
 * ```
 */
export class InvalidEndpointError extends MatrixSdkError {
  override name = 'InvalidEndpointError';
  /** The chain as written, e.g. `api.rooms(…).bann`. */
  readonly chain: string;
  /** What would have been valid at the point of failure. */
  readonly valid: readonly string[];
  /** The closest valid name, when one is close enough. */
  readonly suggestion: string | undefined;

  constructor(message: string, chain: string, valid: readonly string[], suggestion?: string) {
    super(message);
    this.chain = chain;
    this.valid = valid;
    this.suggestion = suggestion;
  }
}

/**
 * Whether a value is an {@link InvalidEndpointError}, across realms.
 *
 * @example
 * ```ts
 * if (isInvalidEndpointError(error)) console.log(error.chain, error.valid);
 * ```
 */
export function isInvalidEndpointError(value: unknown): value is InvalidEndpointError {
  return isErrorNamed(value, 'InvalidEndpointError');
}
