/** Why a registry call failed, in words a user can act on (never with credentials). */

export type OciErrorKind =
  /** 401/403 after authenticating (or no credentials for a private repository). */
  | 'Unauthorized'
  /** The repository, tag or blob does not exist. */
  | 'NotFound'
  /** The registry could not be reached, timed out, or answered 5xx / 429. */
  | 'Unavailable'
  /** The registry answered something we cannot read. */
  | 'BadResponse';

/** Thrown by the OCI client; `kind` says whether trying again may help. */
export class OciError extends Error {
  override readonly name = 'OciError';
  constructor(
    readonly kind: OciErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
