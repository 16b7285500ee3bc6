/*
 * What an `oryne` start costs, per command, against `node -e 0` measured in
 * the same run: wall time (spawn to exit, seen from this process), CPU time
 * (user + system of the child, all its threads) and the modules it loaded.
 * `tenant list --json` runs against 100 tenants: registry rows created through
 * the registry service, which is all `tenant list` reads (provisioning their
 * schemas would change nothing the command does). PostgreSQL and Redis are
 * throwaway ones started here; the children reach them through DATABASE_URL
 * and REDIS_URL, as a CLI on a configured host does.
 *
 * Each command runs BENCH_RUNS times (default 5) for wall and CPU; the module
 * count comes from one extra run with a module hook (`--import`) that records
 * every module the loader hands out, so the timed runs carry no hook.
 * BENCH_ORYNE=path/to/entry.js measures another entry (e.g. build/bin/cli.js).
 */
process.env.LOG_LEVEL ??= 'warn'

import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const TENANTS = 100
const runs = Number(process.env.BENCH_RUNS) > 0 ? Number(process.env.BENCH_RUNS) : 5
const root = fileURLToPath(new URL('../', import.meta.url))
const entry = resolve(root, process.env.BENCH_ORYNE ?? 'bin/oryne.js')

/** Reports the child's CPU time (all threads, via getrusage) on exit; with a path, its module list too. */
const cpuHook = `data:text/javascript,${encodeURIComponent(`
import { writeFileSync } from 'node:fs'
const out = process.env.BENCH_CLI_REPORT
process.on('exit', () => {
  const { user, system } = process.cpuUsage()
  writeFileSync(out, JSON.stringify({ cpuMs: (user + system) / 1000 }))
})
`)}`
const moduleHook = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module'
import { writeFileSync } from 'node:fs'
const loaded = new Set()
registerHooks({ load(url, context, next) { loaded.add(url); return next(url, context) } })
process.on('exit', () => writeFileSync(process.env.BENCH_CLI_REPORT, JSON.stringify({ modules: loaded.size })))
`)}`

type Command = { label: string; args: string[]; expectExit?: number }

const COMMANDS: Command[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'oryne --version', args: [entry, '--version'] },
  { label: 'oryne --help', args: [entry, '--help'] },
  { label: 'oryne tenant --help', args: [entry, 'tenant', '--help'] },
  { label: 'oryne tenant lst (usage error)', args: [entry, 'tenant', 'lst'], expectExit: 2 },
  { label: `oryne tenant list --json (${TENANTS})`, args: [entry, 'tenant', 'list', '--json'] },
]

const scratch = await mkdtemp(join(tmpdir(), 'oryne-cli-startup-'))

/** Runs `node <args>` once; returns wall ms and what the hook reported. */
async function runOnce(command: Command, hook: string) {
  const report = join(scratch, 'report.json')
  const started = performance.now()
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
    (done, fail) => {
      const child = spawn(process.execPath, ['--import', hook, ...command.args], {
        cwd: root,
        env: { ...process.env, BENCH_CLI_REPORT: report },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let output = ''
      child.stderr.on('data', (chunk) => (output += chunk))
      child.on('error', fail)
      child.on('exit', (exitCode) => done({ code: exitCode, stderr: output }))
    }
  )
  const wallMs = performance.now() - started
  if (code !== (command.expectExit ?? 0)) {
    throw new Error(`${command.label} exited ${code}:\n${stderr}`)
  }
  return { wallMs, ...JSON.parse(await readFile(report, 'utf8')) }
}

const oryne = await startOryne('console')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  for (let index = 1; index <= TENANTS; index++) {
    const slug = `bench-school-${index}`
    await tenancy.registry.create(
      { slug, name: `Bench School ${index}`, adminEmail: `admin@${slug}.example` },
      'bench'
    )
  }

  const rows: string[][] = []
  for (const command of COMMANDS) {
    await runOnce(command, cpuHook) // warm the file system cache; not counted
    const wall: number[] = []
    const cpu: number[] = []
    for (let run = 0; run < runs; run++) {
      const { wallMs, cpuMs } = await runOnce(command, cpuHook)
      wall.push(wallMs)
      cpu.push(cpuMs)
    }
    const { modules } = await runOnce(command, moduleHook)
    const w = summarize(wall)
    const c = summarize(cpu)
    rows.push([
      command.label,
      fixed(w.p50 / 1000, 2),
      fixed(Math.max(...wall) / 1000, 2),
      fixed(c.p50 / 1000, 2),
      String(modules),
    ])
  }
  printTable(
    `cli_startup: ${process.env.BENCH_ORYNE ?? 'bin/oryne.js'}, median of ${runs} runs`,
    ['command', 'wall p50 (s)', 'wall max (s)', 'CPU p50 (s)', 'modules'],
    rows
  )
  console.log(`Load average (1/5/15 min) after the run: ${loadAverage()}`)
} finally {
  await oryne.stop()
  await rm(scratch, { recursive: true, force: true })
}
