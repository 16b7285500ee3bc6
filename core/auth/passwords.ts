import hash from '@adonisjs/core/services/hash'

/* Password hashing through AdonisJS hash (config/hash.ts: scrypt). */

export function hashPassword(password: string) {
  return hash.make(password)
}

let dummyHash: Promise<string> | undefined

/**
 * Checks a password against a stored hash. With no hash (unknown email, an
 * invited user) a dummy hash is checked anyway, so that the answer takes as
 * long whether or not the account exists.
 */
export async function verifyPassword(storedHash: string | null | undefined, password: string) {
  if (!storedHash) {
    dummyHash ??= hash.make('oryne-dummy-password-for-constant-time')
    await hash.verify(await dummyHash, password)
    return false
  }
  try {
    return await hash.verify(storedHash, password)
  } catch {
    return false
  }
}

/** True when the stored hash was made with older settings and should be replaced. */
export function needsRehash(storedHash: string) {
  try {
    return hash.needsReHash(storedHash)
  } catch {
    return false
  }
}
