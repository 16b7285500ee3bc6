import { execFile, spawn } from 'node:child_process'
import { mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
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

export type LocalRedisOptions = {
  /** Working directory for the append-only file; removed on stop when `ephemeral`. */
  dir: string
  ephemeral?: boolean
}

/** Finds `redis-server` on PATH; null when there is none. */
export async function findRedisServer(): Promise<string | null> {
  try {
    const { stdout } = await exec('sh', ['-c', 'command -v redis-server'])
    return stdout.trim() || null
  } catch {
    return null
  }
}

/**
 * Runs `redis-server` from PATH on a free loopback port. Persistent runs keep an
 * append-only file so queued jobs survive a restart of `oryne up`.
 */
export class LocalRedis {
  #options: Required<LocalRedisOptions>
  #pid?: number
  #port?: number
  #owned = false

  constructor(options: LocalRedisOptions) {
    this.#options = { ephemeral: false, ...options }
  }

  get #stateFile() {
    return join(this.#options.dir, 'state.json')
  }

  url() {
    return `redis://127.0.0.1:${this.#port}`
  }

  async start(binary: string): Promise<string> {
    const existing = await readState(this.#stateFile)
    if (existing && isAlive(existing.pid) && (await pings(existing.port))) {
      this.#pid = existing.pid
      this.#port = existing.port
      this.#owned = !isAlive(existing.ownerPid)
      if (this.#owned) await writeState(this.#stateFile, { ...existing, ownerPid: process.pid })
      return this.url()
    }

    await mkdir(this.#options.dir, { recursive: true })
    this.#port = await getPort({ port: portNumbers(63790, 63899) })
    const log = await open(join(this.#options.dir, 'redis.log'), 'a')
    const args = ['--port', String(this.#port), '--bind', '127.0.0.1', '--dir', this.#options.dir]
    args.push('--save', '', '--appendonly', this.#options.ephemeral ? 'no' : 'yes')
    const child = spawn(binary, args, { stdio: ['ignore', log.fd, log.fd] })
    await log.close()
    this.#pid = child.pid!
    this.#owned = true
    let exited = false
    child.once('exit', () => (exited = true))
    child.unref()

    await waitUntil(
      async () => {
        if (exited) throw new Error('exited')
        return pings(this.#port!)
      },
      15_000,
      () => `redis-server did not start (see ${join(this.#options.dir, 'redis.log')})`
    )
    await writeState(this.#stateFile, { pid: this.#pid, port: this.#port, ownerPid: process.pid })
    return this.url()
  }

  async stop() {
    if (!this.#owned || !this.#pid) return
    await stopProcess(this.#pid, 'SIGTERM')
    this.#owned = false
    await clearState(this.#stateFile)
    if (this.#options.ephemeral) await rm(this.#options.dir, { recursive: true, force: true })
  }
}

async function pings(port: number) {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}
