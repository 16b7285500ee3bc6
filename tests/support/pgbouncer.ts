import { spawn, type ChildProcess } from 'node:child_process'
import { chown, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import getPort from 'get-port'
import pg from 'pg'
import { waitUntil } from '#core/runtime/local_process'
import { postgresUserIds } from '#core/runtime/embedded_postgres'

export type PgBouncer = { url: string; stop(): Promise<void> }

/**
 * A real PgBouncer (from PATH) in transaction pooling mode in front of the
 * test database, with fewer server connections than Oryne's pool has clients,
 * so that consecutive transactions of one client land on different server
 * connections: exactly where a session-level search_path would leak.
 */
export async function startPgBouncer(databaseUrl: string, poolSize = 3): Promise<PgBouncer> {
  const target = new URL(databaseUrl)
  const dir = await mkdtemp(join(tmpdir(), 'oryne-pgbouncer-'))
  await chmod(dir, 0o755)
  const port = await getPort()
  const user = decodeURIComponent(target.username)
  const password = decodeURIComponent(target.password)
  await writeFile(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`)
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = plain',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,search_path',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
    ].join('\n')
  )
  // PgBouncer refuses to run as root: as root, it runs as `postgres`.
  const asRoot = userInfo().uid === 0
  if (asRoot) {
    const { uid, gid } = await postgresUserIds()
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini'])
      await chown(join(dir, file), uid!, gid!)
  }
  const args = asRoot
    ? ['-u', 'postgres', join(dir, 'pgbouncer.ini')]
    : [join(dir, 'pgbouncer.ini')]
  const child: ChildProcess = spawn('pgbouncer', args, { stdio: 'ignore' })
  const url = new URL(databaseUrl)
  url.port = String(port)
  await waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: url.toString() })
      client.on('error', () => {})
      try {
        await client.connect()
        await client.query('SELECT 1')
        return true
      } finally {
        await client.end().catch(() => {})
      }
    },
    15_000,
    () => `pgbouncer did not start (see ${join(dir, 'pgbouncer.log')})`
  )
  return {
    url: url.toString(),
    async stop() {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
