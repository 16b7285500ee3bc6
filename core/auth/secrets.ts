import { createHash, randomBytes } from 'node:crypto'

/** An opaque token handed to a client once (refresh, invite, password reset): 32 random bytes. */
export function opaqueToken() {
  return randomBytes(32).toString('base64url')
}

/** How opaque tokens are stored: a SHA-256 hex digest, so a database leak yields no usable token. */
export function tokenHash(token: string) {
  return createHash('sha256').update(token).digest('hex')
}
