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

/** Commands that do not exit by themselves: they always get a process of their own. */
const LONG_RUNNING = new Set(['up', 'serve', 'worker', 'scheduler'])
/**
 * Commands that boot an application of their own with bootApp, not through
 * openRuntime (the plugin authoring commands, which start no services), or
 * run another test suite (`plugin test`): a second application in this
 * process would replace the one every test relies on.
 */
const OWN_APPLICATION = new Set([
  'plugin new',
  'plugin make-migration',
  'plugin check',
  'plugin test',
])
const HELP = new Set(['--help', '-h'])

/**
 * Whether `oryne <args>` with `env` may run in the test process: the command
 * ends by itself, reads nothing from standard input, shares the application
 * this process booted, and `env` asks for nothing this process does not
 * already have (each entry equal to process.env, unset included).
 */
export function runsInProcess(args: string[], env: Record<string, string | undefined> = {}) {
  if (Object.entries(env).some(([name, value]) => process.env[name] !== value)) return false
  if (args.includes('--password-stdin')) return false
  const firstOption = args.findIndex((arg) => arg.startsWith('-'))
  const path = firstOption === -1 ? args : args.slice(0, firstOption)
  const onlyHelp = args.length === path.length + 1 && HELP.has(args.at(-1)!)
  if (LONG_RUNNING.has(path[0]) && !onlyHelp) return false
  return !OWN_APPLICATION.has(path.slice(0, 2).join(' '))
}

/**
 * Runs `oryne <args>` to completion, as a platform admin's script would: in
 * this process through the program object when `runsInProcess` allows it,
 * else as a child process.
 */
export function runOryne(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000
): Promise<CliResult> {
  return runsInProcess(args, env)
    ? runOryneInProcess(args, timeoutMs)
    : runOryneProcess(args, env, timeoutMs)
}

/** Runs `oryne <args>` as a real child process, whatever the command. */
export function runOryneProcess(
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

/** In-process runs share stdout, stderr and the exit code: one at a time. */
let inProcessTurn: Promise<unknown> = Promise.resolve()

function runOryneInProcess(args: string[], timeoutMs: number) {
  const run = inProcessTurn.then(() => mainInProcess(args, timeoutMs))
  inProcessTurn = run.catch(() => {})
  return run
}

type Write = typeof process.stdout.write

/**
 * `main(argv)` from cli/main.ts, as bin/oryne.js calls it, with what it writes
 * to stdout and stderr captured (commander writes through them too) and
 * `process.exitCode` taken as the exit code. Everything it borrows is given
 * back: the writers, the exit code (never the test runner's), the
 * environment and the signal handlers; a command that leaves either of the
 * last two changed has a defect that would leak into later tests, and fails.
 */
async function mainInProcess(args: string[], timeoutMs: number): Promise<CliResult> {
  const { main } = await import('#cli/main')
  const output = { stdout: '', stderr: '' }
  const capture = (stream: 'stdout' | 'stderr'): Write =>
    function (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) {
      output[stream] +=
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk).toString(
              typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'
            )
      const done = typeof encoding === 'function' ? encoding : callback
      if (typeof done === 'function') process.nextTick(done)
      return true
    } as Write
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write }
  const exitCode = process.exitCode
  const env = { ...process.env }
  const signalHandlers = {
    SIGINT: process.listeners('SIGINT'),
    SIGTERM: process.listeners('SIGTERM'),
  }
  // A rejection nobody handles kills a child `oryne` with a stack trace on stderr: the same here.
  const unhandled = (reason: unknown) => {
    output.stderr += `${(reason as Error)?.stack ?? reason}\n`
    process.exitCode = 1
  }

  process.stdout.write = capture('stdout')
  process.stderr.write = capture('stderr')
  // What the child gets: output that is not a terminal, and CI set (no prompts).
  const restoreTTY = [process.stdout, process.stderr].map(notATerminal)
  process.env.CI = 'true'
  process.exitCode = undefined
  process.on('unhandledRejection', unhandled)
  let timer: NodeJS.Timeout | undefined
  let code: number
  try {
    await Promise.race([
      main([process.execPath, BIN, ...args]),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`oryne ${args.join(' ')} timed out\n${output.stdout}\n${output.stderr}`)
            ),
          timeoutMs
        )
      }),
    ])
    // Rejections are reported after the microtask queue drains: give them that turn.
    await new Promise((resolve) => setImmediate(resolve))
    code = Number(process.exitCode ?? 0)
  } finally {
    clearTimeout(timer)
    process.off('unhandledRejection', unhandled)
    process.exitCode = exitCode
    process.stdout.write = writes.stdout
    process.stderr.write = writes.stderr
    restoreTTY.forEach((restore) => restore())
    if (env.CI === undefined) delete process.env.CI
    else process.env.CI = env.CI
  }

  const leaks = [
    ...restoreEnvironment(env),
    ...(['SIGINT', 'SIGTERM'] as const).flatMap((signal) => {
      const added = process.listeners(signal).filter((h) => !signalHandlers[signal].includes(h))
      added.forEach((handler) => process.off(signal, handler))
      return added.length ? [`a ${signal} handler`] : []
    }),
  ]
  if (leaks.length) {
    throw new Error(`oryne ${args.join(' ')} left ${leaks.join(', ')} behind in the process`)
  }
  return { code, ...output }
}

/** Makes `stream` say it is no terminal; returns what puts it back. */
function notATerminal(stream: NodeJS.WriteStream) {
  const own = Object.getOwnPropertyDescriptor(stream, 'isTTY')
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true })
  return () => {
    if (own) Object.defineProperty(stream, 'isTTY', own)
    else delete (stream as { isTTY?: boolean }).isTTY
  }
}

/** Puts process.env back as it was; returns the names the command changed. */
function restoreEnvironment(before: NodeJS.ProcessEnv) {
  const changed = new Set(
    [...Object.keys(before), ...Object.keys(process.env)].filter(
      (name) => process.env[name] !== before[name]
    )
  )
  for (const name of changed) {
    if (before[name] === undefined) delete process.env[name]
    else process.env[name] = before[name]
  }
  return [...changed].map((name) => `process.env.${name} changed`)
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
