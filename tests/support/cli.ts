import { spawn, type ChildProcess } from 'node:child_process'
import { Readable } from 'node:stream'
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
 * Commands that run another test suite (`plugin test`): a second application
 * in this process would replace the one every test relies on.
 */
const OWN_APPLICATION = new Set(['plugin test'])
const HELP = new Set(['--help', '-h'])
/** The plugin authoring commands: they discover plugins afresh on each run, on the ready application. */
const AUTHORING = ['plugin new', 'plugin make-migration', 'plugin check']
/**
 * Variables the code reads each time it needs them, never once at boot into
 * config, and the commands for which that holds (`every` command, or those
 * listed): an in-process run sets them for its own duration (and puts them
 * back after), so the command sees what a child given them would.
 */
const CALL_TIME = new Map<string, 'every' | string[]>([
  // backupDirFor (core/backup/paths.ts): where `backup create` writes, read per archive.
  ['ORYNE_BACKUP_DIR', 'every'],
  // backupKey (core/backup/archive.ts): the archive key, read per archive written or read.
  ['ORYNE_BACKUP_KEY', 'every'],
  // pluginRoots (core/plugins/discovery.ts), called by every authoring command; the plugin
  // host of every other command read it once, at boot.
  ['ORYNE_PLUGIN_PATHS', AUTHORING],
])

export type RunOptions = {
  /** What the command reads on standard input (`echo "$PW" | oryne … --password-stdin`). */
  input?: string
  timeoutMs?: number
}

/**
 * Whether `oryne <args>` with `env` may run in the test process: the command
 * ends by itself, reads standard input only when given `input`, shares the
 * application this process booted, and `env` asks for nothing this process
 * does not already have (each entry equal to process.env, unset included)
 * but call-time variables.
 */
export function runsInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: Pick<RunOptions, 'input'> = {}
) {
  const firstOption = args.findIndex((arg) => arg.startsWith('-'))
  const path = firstOption === -1 ? args : args.slice(0, firstOption)
  const command = path.slice(0, 2).join(' ')
  const readAtCallTime = (name: string) => {
    const commands = CALL_TIME.get(name)
    return commands === 'every' || Boolean(commands?.includes(command))
  }
  const differs = Object.keys(env).filter((name) => process.env[name] !== env[name])
  if (!differs.every(readAtCallTime)) return false
  if (args.includes('--password-stdin') && options.input === undefined) return false
  const onlyHelp = args.length === path.length + 1 && HELP.has(args.at(-1)!)
  if (LONG_RUNNING.has(path[0]) && !onlyHelp) return false
  return !OWN_APPLICATION.has(command)
}

/**
 * Runs `oryne <args>` to completion, as a platform admin's script would: in
 * this process through the program object when `runsInProcess` allows it,
 * else as a child process. A number for `options` is the timeout.
 */
export function runOryne(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: RunOptions | number = {}
): Promise<CliResult> {
  const run = typeof options === 'number' ? { timeoutMs: options } : options
  return runsInProcess(args, env, run)
    ? runOryneInProcess(args, env, run)
    : runOryneProcess(args, env, run)
}

/** Runs `oryne <args>` as a real child process, whatever the command. */
export function runOryneProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: RunOptions | number = {}
) {
  const { input, timeoutMs = 60_000 } =
    typeof options === 'number' ? { timeoutMs: options } : options
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env) })
    // A command that exits without reading its input closes the pipe: nothing to report.
    child.stdin.on('error', () => {})
    child.stdin.end(input)
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

function runOryneInProcess(
  args: string[],
  env: Record<string, string | undefined>,
  options: RunOptions
) {
  const run = inProcessTurn.then(() => mainInProcess(args, env, options))
  inProcessTurn = run.catch(() => {})
  return run
}

type Write = typeof process.stdout.write

/**
 * `main(argv)` from cli/main.ts, as bin/oryne.js calls it, with what it writes
 * to stdout and stderr captured (commander writes through them too) and
 * `process.exitCode` taken as the exit code. Everything it borrows is given
 * back: the writers, standard input, the exit code (never the test
 * runner's), the environment (call-time variables of `env` included) and the
 * signal handlers; a command that leaves either of the last two changed has a
 * defect that would leak into later tests, and fails.
 */
async function mainInProcess(
  args: string[],
  callTime: Record<string, string | undefined>,
  { input, timeoutMs = 60_000 }: RunOptions
): Promise<CliResult> {
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
  const restoreStdin = pipedInput(input ?? '')
  process.env.CI = 'true'
  for (const [name, value] of Object.entries(callTime)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
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
    restoreStdin()
    for (const name of ['CI', ...Object.keys(callTime)]) {
      if (env[name] === undefined) delete process.env[name]
      else process.env[name] = env[name]
    }
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

/**
 * Makes process.stdin a pipe that holds `input` and ends, as a child's stdin
 * given it (no terminal); returns what puts the process's own back.
 */
function pipedInput(input: string) {
  const own = Object.getOwnPropertyDescriptor(process, 'stdin')!
  Object.defineProperty(process, 'stdin', {
    value: Readable.from([input], { objectMode: false }),
    configurable: true,
    enumerable: true,
  })
  return () => Object.defineProperty(process, 'stdin', own)
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
