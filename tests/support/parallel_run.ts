import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { startServices } from '#core/runtime/services'
import { TIMINGS_FILE, chunksOf, weigher, type Chunk, type SuiteFiles } from './test_plan.js'

/*
 * `npm test` as parallel processes. One PostgreSQL server and one Redis are
 * started for the whole run; each chunk of spec files runs in its own
 * `bin/test.js` process, which makes its own database and Redis prefix in
 * them (tests/support/services.ts), so chunks share nothing but the servers
 * and no test can depend on another chunk's order. A chunk's output is
 * printed whole when it ends, with its wall time; the run ends with one
 * summary line of every chunk's counts.
 */

type Counts = { passed: number; failed: number; skipped: number; todo: number }
type Outcome = { chunk: Chunk; code: number | null; seconds: number; counts: Counts | null }

/** Japa's closing line: `Tests  12 passed, 1 failed, 2 skipped (15)`. */
function countsOf(output: string): Counts | null {
  const line = stripVTControlCharacters(output)
    .split('\n')
    .findLast((text) => /^\s*Tests\s+.*\(\d+\)\s*$/.test(text))
  if (!line) return null
  const count = (word: string) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0)
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    todo: count('todo'),
  }
}

/** Seconds spent in each spec file, read from the spec reporter's per-test durations. */
function fileSeconds(output: string): Record<string, number> {
  const seconds: Record<string, number> = {}
  let file: string | undefined
  for (const text of stripVTControlCharacters(output).split('\n')) {
    const header = text.match(/ \/ .*\(((?:tests|plugins)\/[^)]+\.spec\.ts)\)\s*$/)
    if (header) {
      file = header[1]
      seconds[file] ??= 0
      continue
    }
    const duration = text.match(/\(([\d.]+)(ms|s|m)\)\s*$/)
    if (duration && file) {
      const value = Number(duration[1])
      seconds[file] +=
        duration[2] === 'ms' ? value / 1000 : duration[2] === 'm' ? value * 60 : value
    }
  }
  return seconds
}

const running = new Set<ReturnType<typeof spawn>>()

function runChunk(chunk: Chunk, root: string, env: NodeJS.ProcessEnv) {
  const args = [
    join(root, 'bin/test.js'),
    chunk.suite,
    ...chunk.files.flatMap((f) => ['--files', f]),
  ]
  const started = Date.now()
  return new Promise<Outcome & { output: string }>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.add(child)
    let output = ''
    child.stdout.on('data', (data) => (output += data))
    child.stderr.on('data', (data) => (output += data))
    child.on('close', (code) => {
      running.delete(child)
      const seconds = (Date.now() - started) / 1000
      resolve({ chunk, code, seconds, counts: countsOf(output), output })
    })
  })
}

/** Remembers per-file seconds (the chunk's boot shared out by weight) for the next run's plan. */
function recordTimings(root: string, outcomes: Array<Outcome & { output: string }>) {
  const path = join(root, TIMINGS_FILE)
  const timings: Record<string, number> = existsSync(path)
    ? JSON.parse(readFileSync(path, 'utf8'))
    : {}
  for (const outcome of outcomes) {
    if (outcome.code !== 0) continue
    const measured = fileSeconds(outcome.output)
    const inTests = Object.values(measured).reduce((sum, value) => sum + value, 0)
    const overhead =
      Math.max(0, outcome.seconds - inTests) / Math.max(1, outcome.chunk.files.length)
    for (const file of outcome.chunk.files) {
      timings[file] = Math.round(((measured[file] ?? 0) + overhead) * 10) / 10
    }
  }
  mkdirSync(join(root, 'tmp'), { recursive: true })
  writeFileSync(path, `${JSON.stringify(timings, null, 2)}\n`)
}

export async function runInParallel(options: {
  root: string
  suites: SuiteFiles[]
  jobs: number
  /** Extra Japa arguments every chunk gets (e.g. --bail). */
  passThrough?: string[]
}) {
  const started = Date.now()
  const services = await startServices()
  if (services.redis === 'inline') {
    await services.stop()
    throw new Error('The test suite needs a real Redis: install redis-server or set REDIS_URL.')
  }
  const stopServices = () => services.stop().catch(() => {})
  // Stopped from outside: end the chunks' processes and the servers, not leave them behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGKILL')
      void stopServices().then(() => process.exit(130))
    })
  }

  const total = options.suites.reduce(
    (sum, suite) => sum + suite.files.reduce((s, f) => s + weigher(options.root)(f), 0),
    0
  )
  // About three chunks per process: the queue evens out what the estimates miss.
  const chunks = chunksOf(
    options.suites,
    weigher(options.root),
    Math.max(45, total / (options.jobs * 3))
  )
  console.log(
    `Running ${chunks.length} chunks of ${options.suites.map((s) => `${s.files.length} ${s.name}`).join(', ')} spec files in ${options.jobs} processes (PostgreSQL ${services.database}, Redis ${services.redis})`
  )
  const env = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl! }

  const queue = [...chunks]
  const outcomes: Array<Outcome & { output: string }> = []
  const worker = async () => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      const outcome = await runChunk(chunk, options.root, env)
      outcomes.push(outcome)
      const counts = outcome.counts
      const status = outcome.code === 0 ? 'passed' : 'FAILED'
      process.stdout.write(
        `\n===== ${chunk.suite}: ${chunk.files.length} files ${status} in ${outcome.seconds.toFixed(0)} s =====\n${outcome.output}`
      )
      if (outcome.code !== 0 && !counts)
        process.stdout.write(
          `(the chunk's process exited with ${outcome.code} before Japa's summary)\n`
        )
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.jobs, chunks.length) }, worker))
  } finally {
    await stopServices()
  }
  recordTimings(options.root, outcomes)

  const sum: Counts = { passed: 0, failed: 0, skipped: 0, todo: 0 }
  for (const { counts } of outcomes) {
    if (!counts) continue
    for (const key of Object.keys(sum) as Array<keyof Counts>) sum[key] += counts[key]
  }
  const broken = outcomes.filter((o) => o.code !== 0)
  console.log('\nChunks (wall seconds):')
  for (const o of [...outcomes].sort((a, b) => b.seconds - a.seconds)) {
    console.log(
      `  ${o.seconds.toFixed(0).padStart(4)} s  ${o.code === 0 ? 'ok    ' : 'FAILED'} ${o.chunk.suite}: ${o.chunk.files.map((f) => f.split('/').pop()).join(' ')}`
    )
  }
  if (broken.length) {
    console.log(`\nFailed chunks: ${broken.length}`)
    for (const o of broken) console.log(`  ${o.chunk.suite}: ${o.chunk.files.join(' ')}`)
  }
  console.log(`\nWall time: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  // The one closing line for the whole run (CI reads it).
  console.log(
    `Tests: ${sum.passed} passed, ${sum.failed + broken.filter((o) => !o.counts).length} failed, ${sum.skipped} skipped`
  )
  return broken.length === 0 ? 0 : 1
}
