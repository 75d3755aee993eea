/** A subscription that can never be scanned as written (bad regex, constraint, platform, URL). */
export class BadSubscription extends Error {
  override readonly name = 'BadSubscription';
}
