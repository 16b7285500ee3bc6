import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/oryne.js', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export type CliResult = { code: number | null; stdout: string; stderr: string }

/** Environment for a child `oryne`: the run's services, quiet logs, no TTY assumptions. */
function childEnv(env: Record<string, string | undefined>) {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    CI: 'true',
    ...env,
  } as NodeJS.ProcessEnv
}

/** Runs `oryne <args>` to completion, as a platform admin's script would. */
export function runOryne(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000
) {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`oryne ${args.join(' ')} timed out\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export type RunningOryne = {
  child: ChildProcess
  output(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts a long-running `oryne` command (serve, up, worker) and lets the test
 * drive it; `bin` runs another entry (the production build's) instead.
 */
export function startOryne(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { bin?: string } = {}
): RunningOryne {
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: ROOT,
    env: childEnv(env),
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))

  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const match = output.match(pattern)
        if (match) return match
        if (child.exitCode !== null) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`oryne ${args.join(' ')} never printed ${pattern}:\n${output}`)
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
