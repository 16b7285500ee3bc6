/**
 * The time identity reasons with: token issue and expiry, refresh and reset
 * token lifetimes. Tests move it to check expiry without waiting; nothing
 * else should.
 */
export const clock = {
  now: (): Date => new Date(),
}
