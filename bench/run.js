/*
 * JavaScript entry for benchmarks (`npm run bench -- <name>`): registers the
 * TypeScript loader, then runs bench/<name>.ts. Without a known name it lists
 * what can be run and exits 2, so a typo never passes silently in a script.
 * Files are snake_case like the rest of the code base; a dashed name
 * (`http-baseline`) is accepted too, since that is how commands are usually typed.
 *
 * BENCH_BUILD=1 runs the benchmark against the production build instead
 * (`npm run build` first): the benchmarks are compiled next to it
 * (tsconfig.bench.json, into build/bench), PostgreSQL and Redis are started
 * here, and the benchmark runs as compiled JavaScript without the TypeScript
 * loader, with NODE_ENV=production and the container's memory settings
 * (Dockerfile: MALLOC_ARENA_MAX=2, --max-semi-space-size=32) unless given.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { reexecOnPinnedNode } from '../bin/node24.js'

/** Compiles the benchmarks into build/ and runs `name` there; resolves to its exit code. */
async function runAgainstBuild(name) {
  const root = fileURLToPath(new URL('../', import.meta.url))
  const build = join(root, 'build')
  if (!existsSync(join(build, 'bin/server.js'))) {
    console.error('No production build: run `npm run build` first.')
    return 2
  }
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.bench.json')],
    { stdio: 'inherit' }
  )
  if (tsc.status !== 0) return tsc.status ?? 1
  // The build's plugins import the SDK's compiled entry; other packages resolve from the project's node_modules.
  const sdk = join(build, 'node_modules/@oryne/sdk')
  if (!existsSync(sdk)) {
    mkdirSync(join(build, 'node_modules/@oryne'), { recursive: true })
    symlinkSync(join(build, 'packages/sdk'), sdk)
  }
  // Production starts no embedded services: this process starts them, in development mode, for the run.
  const { startServices } = await import(join(build, 'core/runtime/services.js'))
  const services = await startServices({ warn: (message) => console.warn(message) })
  try {
    const child = spawn(process.execPath, [join(build, 'bench', `${name}.js`)], {
      stdio: 'inherit',
      env: {
        ...process.env,
        NODE_ENV: 'production',
        // Throwaway keys for the run: production generates none.
        APP_KEY: process.env.APP_KEY ?? randomBytes(32).toString('base64url'),
        ORYNE_JWT_KEYS: process.env.ORYNE_JWT_KEYS ?? `bench:${randomBytes(32).toString('base64url')}`,
        DATABASE_URL: services.databaseUrl,
        REDIS_URL: services.redisUrl ?? '',
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
        NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '--max-semi-space-size=32',
      },
    })
    return await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
  } finally {
    await services.stop()
  }
}

if (!reexecOnPinnedNode(import.meta.url)) {
  const available = readdirSync(new URL('./', import.meta.url), { withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
    )
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort()
  const name = process.argv[2]?.replaceAll('-', '_')

  if (!name || !available.includes(name)) {
    if (name) console.error(`Unknown benchmark "${process.argv[2]}".`)
    console.error('Usage: npm run bench -- <name>\n\nAvailable benchmarks:')
    for (const benchmark of available) console.error(`  ${benchmark}`)
    process.exit(2)
  }

  if (process.env.BENCH_BUILD) {
    process.exitCode = await runAgainstBuild(name)
  } else {
    await import('@poppinss/ts-exec')
    await import(`./${name}.ts`)
  }
}
