import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'

/**
 * Defaults that make a fresh clone runnable without a `.env` file. Production
 * must set its own values; only harmless ones are defaulted there.
 */
const DEFAULTS: Record<string, string> = {
  NODE_ENV: 'development',
  HOST: '0.0.0.0',
  PORT: '3333',
  LOG_LEVEL: 'info',
}

export function isProduction() {
  return process.env.NODE_ENV === 'production'
}

export function storageDir(appRoot: URL | string) {
  const root = typeof appRoot === 'string' ? appRoot : fileURLToPath(appRoot)
  return resolve(root, process.env.ORYNE_STORAGE_DIR ?? 'storage')
}

/**
 * Fills the environment before AdonisJS validates it: defaults for unset
 * variables and, outside production, secrets generated once and kept under
 * storage/ (APP_KEY, ORYNE_PLATFORM_TOKEN, ORYNE_JWT_KEYS) so that they survive
 * restarts.
 */
export function prepareEnvironment(appRoot: URL | string) {
  for (const [name, value] of Object.entries(DEFAULTS)) {
    if (process.env[name] === undefined || process.env[name] === '') process.env[name] = value
  }
  if (isProduction()) return
  const dir = storageDir(appRoot)
  process.env.APP_KEY ||= generatedSecret(join(dir, 'app.key'))
  process.env.ORYNE_PLATFORM_TOKEN ||= generatedSecret(join(dir, 'platform.token'))
  // One HS256 signing key, `kid:secret` (docs/auth.md): tokens survive restarts.
  process.env.ORYNE_JWT_KEYS ||= generatedSecret(
    join(dir, 'jwt.keys'),
    () => `${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64url')}`
  )
}

/** Reads a secret kept in `file`, creating it (with `make`) on first use. */
function generatedSecret(file: string, make = () => randomBytes(32).toString('base64url')) {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true })
    try {
      writeFileSync(file, make(), { mode: 0o600, flag: 'wx' })
    } catch (error) {
      // Another Oryne process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  return readFileSync(file, 'utf8').trim()
}
