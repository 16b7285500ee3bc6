import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

/** Clock ticks per second of /proc CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

type ProcStat = { ppid: number; ownTicks: number; reapedChildTicks: number }

/** Fields of /proc/<pid>/stat; the command name may hold spaces, so parsing starts after its ")". */
async function procStat(pid: number): Promise<ProcStat | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8')
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 of proc(5): ppid is 4, utime 14, stime 15, cutime 16, cstime 17.
    const field = (n: number) => Number(fields[n - 3])
    return {
      ppid: field(4),
      ownTicks: field(14) + field(15),
      reapedChildTicks: field(16) + field(17),
    }
  } catch {
    // The process ended between listing and reading.
    return null
  }
}

/**
 * CPU milliseconds a PostgreSQL server has used so far: the postmaster, its
 * live children (backends, background workers) and the children it has
 * already reaped (closed connections), which Linux adds to its cutime/cstime.
 */
export async function postgresCpuMs(postmasterPid: number) {
  const postmaster = await procStat(postmasterPid)
  if (!postmaster) throw new Error(`No process ${postmasterPid}`)
  let ticks = postmaster.ownTicks + postmaster.reapedChildTicks
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const child = await procStat(Number(entry))
    if (child?.ppid === postmasterPid) ticks += child.ownTicks
  }
  return (ticks * 1000) / TICKS_PER_SECOND
}

/** CPU milliseconds one process has used so far (all its threads), or null once it is gone. */
export async function pidCpuMs(pid: number) {
  const stat = await procStat(pid)
  return stat ? (stat.ownTicks * 1000) / TICKS_PER_SECOND : null
}

/** The redis-server serving `url` (found by its port among this machine's processes), if any. */
export async function redisPidOf(url: string | null | undefined) {
  const port = url ? new URL(url).port || '6379' : null
  if (!port) return null
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    const args = command.split('\0')
    if (!args[0]?.includes('redis-server')) continue
    if (args.some((arg) => arg.endsWith(`:${port}`) || arg === port)) return Number(entry)
  }
  return null
}

/** The postmaster a backend was forked from: `pid` as given by `SELECT pg_backend_pid()`. */
export async function postmasterOf(backendPid: number) {
  const backend = await procStat(backendPid)
  if (!backend) throw new Error(`No process ${backendPid}`)
  return backend.ppid
}

/** CPU milliseconds of the calling thread: the server's event loop, not the load generator's worker. */
export function threadCpuMs() {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}

/** Busy and total CPU milliseconds of the whole machine, all cores, from /proc/stat. */
export async function machineCpuMs() {
  const stat = await readFile('/proc/stat', 'utf8')
  const line = stat.split('\n')[0]
  // cpu user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((sum, value) => sum + value, 0)
  const idle = ticks[3] + ticks[4]
  const toMs = (value: number) => (value * 1000) / TICKS_PER_SECOND
  return { busy: toMs(total - idle), total: toMs(total) }
}

/** CPU milliseconds of this whole process, all threads (the load generator's worker included). */
export function processCpuMs() {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/** CPU use over a window of time, as `cpuWindow` measures it. */
export type CpuUse = {
  wallMs: number
  /** The calling thread: the server's event loop. */
  threadMs: number
  postgresMs: number
  /** Share of all cores busy, whatever used them. */
  machineBusy: number
  /** Share of all cores used by neither this process nor its PostgreSQL. */
  othersBusy: number
}

/**
 * Samples CPU use from now until `finish()`: how busy the whole machine was
 * (share of all cores), and how much of that was this process and its
 * PostgreSQL, so that a report can say whether other work competed with it.
 */
export async function cpuWindow(postmasterPid: number) {
  const started = {
    wall: performance.now(),
    thread: threadCpuMs(),
    process: processCpuMs(),
    postgres: await postgresCpuMs(postmasterPid),
    machine: await machineCpuMs(),
  }
  return {
    async finish(): Promise<CpuUse> {
      const machine = await machineCpuMs()
      const postgres = (await postgresCpuMs(postmasterPid)) - started.postgres
      const processMs = processCpuMs() - started.process
      const capacity = machine.total - started.machine.total
      return {
        wallMs: performance.now() - started.wall,
        threadMs: threadCpuMs() - started.thread,
        postgresMs: postgres,
        machineBusy: (machine.busy - started.machine.busy) / capacity,
        othersBusy:
          Math.max(0, machine.busy - started.machine.busy - processMs - postgres) / capacity,
      }
    },
  }
}

/**
 * Runs `fn` under V8's sampling profiler when BENCH_CPU_PROFILE names a
 * directory, writing `<name>.cpuprofile` there (open it in Chrome DevTools or
 * VS Code). The profiler slows the server down: figures of a profiled run are
 * for finding where time goes, not for publishing.
 */
export async function maybeProfile<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const directory = process.env.BENCH_CPU_PROFILE
  if (!directory) return fn()
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    const result = await fn()
    const { profile } = await session.post('Profiler.stop')
    await mkdir(directory, { recursive: true })
    const file = join(directory, `${name}.cpuprofile`)
    await writeFile(file, JSON.stringify(profile))
    console.log(`CPU profile of the server thread: ${file}`)
    return result
  } finally {
    session.disconnect()
  }
}
