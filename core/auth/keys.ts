import { E_CONFIG_MISSING } from '../errors.js'

export type JwtKey = { kid: string; secret: Uint8Array }

/** The keys of ORYNE_JWT_KEYS: the first signs, every one verifies (key rotation). */
export type JwtKeyRing = { signing: JwtKey; byKid: Map<string, JwtKey> }

const KID = /^[A-Za-z0-9._-]{1,64}$/
const MIN_SECRET_BYTES = 32

function invalid(reason: string) {
  return new E_CONFIG_MISSING([`ORYNE_JWT_KEYS is invalid: ${reason}`], {
    hint: 'Set ORYNE_JWT_KEYS to "kid:secret,kid:secret" (or JSON {"kid": "secret"}), secrets of at least 32 characters; the first key signs. See docs/auth.md.',
  })
}

function entries(raw: string): Array<[string, string]> {
  const text = raw.trim()
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw invalid('not valid JSON')
    }
    if (Array.isArray(parsed)) {
      return parsed.map((item) => [String(item?.kid ?? ''), String(item?.secret ?? '')])
    }
    return Object.entries(parsed as Record<string, unknown>).map(([kid, secret]) => [
      kid,
      String(secret ?? ''),
    ])
  }
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(':')
      if (at <= 0) throw invalid(`"${pair.slice(0, 8)}…" is not kid:secret`)
      return [pair.slice(0, at), pair.slice(at + 1)]
    })
}

/**
 * Reads the HS256 keys from `kid:secret,kid:secret` or JSON (`{"kid": "secret"}`
 * or `[{"kid": ..., "secret": ...}]`). To rotate: put the new key first, keep
 * the old one after it for the 15 minutes its tokens live, then drop it.
 */
export function parseJwtKeys(raw: string | undefined | null): JwtKeyRing {
  if (!raw?.trim()) {
    throw new E_CONFIG_MISSING(['ORYNE_JWT_KEYS must be set to sign access tokens'], {
      hint: 'Outside production it is generated into storage/jwt.keys; in production set it (see docs/auth.md).',
    })
  }
  const byKid = new Map<string, JwtKey>()
  for (const [kid, secret] of entries(raw)) {
    if (!KID.test(kid)) throw invalid(`key id "${kid.slice(0, 64)}" must be 1-64 of [A-Za-z0-9._-]`)
    if (byKid.has(kid)) throw invalid(`key id "${kid}" appears twice`)
    const bytes = new TextEncoder().encode(secret)
    if (bytes.length < MIN_SECRET_BYTES) {
      throw invalid(`the secret of "${kid}" is shorter than ${MIN_SECRET_BYTES} characters`)
    }
    byKid.set(kid, { kid, secret: bytes })
  }
  const signing = byKid.values().next().value
  if (!signing) throw invalid('no key given')
  return { signing, byKid }
}
