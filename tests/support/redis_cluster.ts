import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import getPort, { portNumbers } from 'get-port'
import { Redis } from 'ioredis'
import { waitUntil } from '#core/runtime/local_process'

const exec = promisify(execFile)

/** What CLUSTER NODES says of one node. */
export type ClusterNode = {
  id: string
  port: number
  role: 'master' | 'replica'
  /** For a replica: the id of its master. */
  masterId: string | null
  alive: boolean
}

export type LocalRedisCluster = {
  /** REDIS_URL for Oryne: every node, comma-separated. */
  url: string
  ports: number[]
  nodes(): Promise<ClusterNode[]>
  /** The port of the master serving `slot`. */
  masterOf(slot: number): Promise<number>
  /** SIGKILLs the master on `port` and waits until its replica took over (the cluster is `ok` again). */
  killMaster(port: number): Promise<{ promotedPort: number; failoverMs: number }>
  /** SIGKILLs the node on `port`, waiting for nothing. */
  kill(port: number): Promise<void>
  stop(): Promise<void>
}

/**
 * How long a silent node takes to be declared failed. The failover window is
 * this plus the replica's election (≈ 0.5-1.5 s): what Oryne's clients must ride out.
 */
export const NODE_TIMEOUT_MS = 1000

/** Two free loopback ports `p` and `p + 10000` (the node's cluster bus). */
async function freeNodePort(taken: Set<number>) {
  for (;;) {
    const port = await getPort({ port: portNumbers(20000, 29999) })
    if (taken.has(port)) continue
    if ((await getPort({ port: port + 10000 })) !== port + 10000) continue
    taken.add(port)
    return port
  }
}

function client(port: number) {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 })
  redis.on('error', () => {})
  return redis
}

async function ask<T>(port: number, work: (redis: Redis) => Promise<T>) {
  const redis = client(port)
  try {
    await redis.connect()
    return await work(redis)
  } finally {
    redis.disconnect()
  }
}

async function clusterOk(port: number) {
  try {
    const info = await ask(port, (redis) => redis.cluster('INFO'))
    return /cluster_state:ok/.test(String(info))
  } catch {
    return false
  }
}

function parseNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, master] = line.split(' ')
      return {
        id,
        port: Number(address.split('@')[0].split(':')[1]),
        role: flags.includes('master') ? ('master' as const) : ('replica' as const),
        masterId: master === '-' ? null : master,
        alive: !/fail|noaddr/.test(flags),
      }
    })
}

/**
 * A real Redis Cluster on loopback: `masters` masters with one replica each,
 * started from the `redis-server` on PATH in a temporary directory without
 * persistence, joined by `redis-cli --cluster create`. For the specs that
 * need one (not the whole run: a cluster costs seconds to form).
 */
export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'oryne-redis-cluster-'))
  const taken = new Set<number>()
  const ports: number[] = []
  for (let index = 0; index < masters * 2; index++) ports.push(await freeNodePort(taken))
  const children = new Map<number, ChildProcess>()
  const stopAll = async () => {
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(null)
            child.once('exit', resolve)
            child.kill('SIGKILL')
          })
      )
    )
    await rm(dir, { recursive: true, force: true })
  }

  try {
    for (const port of ports) {
      const settings = {
        'port': port,
        'bind': '127.0.0.1',
        'dir': dir,
        'cluster-enabled': 'yes',
        'cluster-config-file': `nodes-${port}.conf`,
        'cluster-node-timeout': NODE_TIMEOUT_MS,
        'save': '',
        'appendonly': 'no',
      }
      const args = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, String(value)])
      const child = spawn('redis-server', args, { stdio: 'ignore' })
      children.set(port, child)
    }
    for (const port of ports)
      await waitUntil(
        () => ask(port, async (redis) => (await redis.ping()) === 'PONG').catch(() => false),
        15_000,
        () => `redis-server ${port} did not start`
      )
    await exec(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 60_000 }
    )
    for (const port of ports)
      await waitUntil(
        () => clusterOk(port),
        30_000,
        () => `cluster node ${port} never became ok`
      )
    // A replica that has not synced with its master yet would refuse to take over from it.
    for (const port of ports)
      await waitUntil(
        async () => {
          const info = String(await ask(port, (redis) => redis.info('replication')))
          return /role:master/.test(info) || /master_link_status:up/.test(info)
        },
        30_000,
        () => `replica ${port} never synced with its master`
      )
  } catch (error) {
    await stopAll()
    throw error
  }

  const alive = () =>
    ports.filter((port) => children.get(port)?.exitCode === null && !children.get(port)?.signalCode)
  const nodes = async () => {
    for (const port of alive()) {
      try {
        return parseNodes(String(await ask(port, (redis) => redis.cluster('NODES'))))
      } catch {}
    }
    throw new Error('no cluster node answers')
  }

  return {
    url: ports.map((port) => `redis://127.0.0.1:${port}`).join(','),
    ports,
    nodes,
    async masterOf(slot) {
      for (const port of alive()) {
        try {
          const slots = await ask(port, (redis) => redis.cluster('SLOTS'))
          const range = slots.find(([from, to]) => slot >= from && slot <= to)
          if (range) return Number(range[2][1])
        } catch {}
      }
      throw new Error(`no master serves slot ${slot}`)
    },
    async killMaster(port) {
      const before = await nodes()
      const master = before.find((node) => node.port === port && node.role === 'master')
      if (!master) throw new Error(`${port} is not a master`)
      const started = Date.now()
      children.get(port)!.kill('SIGKILL')
      let promotedPort = 0
      await waitUntil(
        async () => {
          const survivors = alive()
          if (!(await Promise.all(survivors.map(clusterOk))).every(Boolean)) return false
          const after = await nodes()
          const promoted = after.find(
            (node) =>
              node.role === 'master' &&
              node.alive &&
              before.find((old) => old.id === node.id)?.role === 'replica'
          )
          promotedPort = promoted?.port ?? 0
          return Boolean(promoted)
        },
        30_000,
        () => `no replica took over from ${port}`
      )
      return { promotedPort, failoverMs: Date.now() - started }
    },
    async kill(port) {
      const child = children.get(port)!
      if (child.exitCode !== null || child.signalCode !== null) return
      await new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGKILL')
      })
    },
    stop: stopAll,
  }
}
