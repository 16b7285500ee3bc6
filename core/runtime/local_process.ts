import { setTimeout as sleep } from 'node:timers/promises'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * What Oryne remembers about a database or Redis server it started under
 * storage/, so that a second Oryne process (a worker beside `oryne up`) reuses
 * it and a process left behind by a crash is adopted instead of duplicated.
 */
export type LocalServerState = { pid: number; port: number; ownerPid: number }

export function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function readState(file: string): Promise<LocalServerState | null> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as LocalServerState
    return Number.isInteger(state.pid) && Number.isInteger(state.port) ? state : null
  } catch {
    return null
  }
}

export async function writeState(file: string, state: LocalServerState) {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(state))
}

export async function clearState(file: string) {
  await rm(file, { force: true })
}

/** Polls `probe` until it resolves true, failing with `describe()` after `timeoutMs`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string
) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(describe())
}

/** Sends `signal`, waits for the process to go, and kills it if it outstays `timeoutMs`. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, timeoutMs = 15_000) {
  if (!isAlive(pid)) return
  process.kill(pid, signal)
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid) && Date.now() < deadline) await sleep(50)
  if (isAlive(pid)) process.kill(pid, 'SIGKILL')
}
