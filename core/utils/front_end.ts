import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, rename, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

async function modifiedAt(path: string) {
  const info = await stat(path)
  return info.mtimeMs
}

/** The newest modification time under a folder (a front end's sources are a few dozen files). */
async function newestIn(folder: string): Promise<number> {
  if (!existsSync(folder)) return 0
  let newest = 0
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? await newestIn(path) : await modifiedAt(path))
  }
  return newest
}

export type FrontEndOptions = {
  /** The folder holding vite.config.ts and the sources. */
  source: string
  /** Where the build goes (git-ignored, under tmp/). */
  output: string
  /** More folders whose changes call for a new build (e.g. the plugins' ui/ folders). */
  watched?: () => Promise<string[]> | string[]
  /** Environment of the vite process (e.g. which plugin modules to bundle). */
  env?: () => Promise<Record<string, string>> | Record<string, string>
}

/**
 * A Vite front end the server builds on demand (the admin console, the web
 * app): missing or older than its sources means a new build, in a child
 * process, into a fresh folder that then replaces the old output, so that
 * another process never serves a half-written build. Concurrent callers share
 * one build.
 */
export class FrontEnd {
  #building: Promise<void> | null = null

  constructor(readonly options: FrontEndOptions) {}

  get output() {
    return this.options.output
  }

  /** Whether the build is missing or older than a source; with `sources: false`, only whether it is missing. */
  async isStale(options: { sources?: boolean } = {}) {
    const index = join(this.output, 'index.html')
    if (!existsSync(index)) return true
    if (options.sources === false || !existsSync(this.options.source)) return false
    const folders = [this.options.source, ...((await this.options.watched?.()) ?? [])]
    let newest = 0
    for (const folder of folders) newest = Math.max(newest, await newestIn(folder))
    return (await modifiedAt(index)) < newest
  }

  ensureBuilt(options: { sources?: boolean } = {}): Promise<void> {
    this.#building ??= (async () => {
      if (await this.isStale(options)) await this.#build()
    })().finally(() => {
      this.#building = null
    })
    return this.#building
  }

  async #build() {
    const vite = join(
      createRequire(import.meta.url).resolve('vite/package.json'),
      '..',
      'bin',
      'vite.js'
    )
    const fresh = `${this.output}-${process.pid}-${randomBytes(4).toString('hex')}`
    const old = `${fresh}-old`
    try {
      await run(
        process.execPath,
        [
          vite,
          'build',
          '--config',
          join(this.options.source, 'vite.config.ts'),
          '--outDir',
          fresh,
          '--emptyOutDir',
        ],
        {
          env: { ...process.env, ...(await this.options.env?.()), NODE_ENV: 'production' },
          timeout: 180_000,
        }
      )
      if (existsSync(this.output)) await rename(this.output, old)
      // Another process may have put its own fresh build in place meanwhile: that one serves.
      await rename(fresh, this.output).catch((error) => {
        if (!existsSync(join(this.output, 'index.html'))) throw error
      })
    } finally {
      await rm(fresh, { recursive: true, force: true })
      await rm(old, { recursive: true, force: true })
    }
  }
}

/**
 * A front end's pages take their script and stylesheet from this origin and
 * call its API; styles set from script go through the CSSOM, so no
 * 'unsafe-inline' at all.
 */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

/** Built file names are vite's `<name>-<hash>.<ext>`: nothing else is served from assets/. */
const ASSET = /^[\w-]+\.(js|css|svg|png|woff2?)$/

/**
 * Outside production, how long one look at the sources answers page loads: a
 * reload storm walks the sources once, and an edit is built on the first load
 * this long after the last look (about the time it takes to switch windows).
 */
export const SOURCE_CHECK_INTERVAL_MS = 2_000

/**
 * Answers a front end's paths: `assets/<hashed file>` (cached for good), the
 * few files of its root named in `rootFiles` (a service worker, a web app
 * manifest, icons; revalidated), and index.html for every other path (client
 * routes). In production the build is checked once per process, for being
 * there only; elsewhere its sources at most every SOURCE_CHECK_INTERVAL_MS.
 */
export function frontEndServer(
  frontEnd: FrontEnd,
  options: {
    inProduction: () => boolean
    unavailable: (reason: string) => Error
    rootFiles?: string[]
  }
) {
  let checkedAt: number | null = null
  async function built() {
    const production = options.inProduction()
    if (checkedAt !== null && (production || Date.now() - checkedAt < SOURCE_CHECK_INTERVAL_MS))
      return
    try {
      await frontEnd.ensureBuilt({ sources: !production })
      checkedAt = Date.now()
    } catch (error) {
      if (existsSync(join(frontEnd.output, 'index.html'))) return
      throw options.unavailable((error as Error).message.split('\n')[0])
    }
  }
  return async function serve(
    rest: string[],
    response: {
      header(name: string, value: string): unknown
      download(path: string, etag?: boolean): unknown
    },
    notFound: () => Error
  ) {
    response.header('Content-Security-Policy', POLICY)
    if (rest[0] === 'assets') {
      const file =
        rest.length === 2 && ASSET.test(rest[1]) ? join(frontEnd.output, 'assets', rest[1]) : null
      if (!file || !existsSync(file)) throw notFound()
      // Names carry a content hash: a changed file is a new name.
      response.header('Cache-Control', 'public, max-age=31536000, immutable')
      return response.download(file, true)
    }
    await built()
    response.header('Cache-Control', 'no-cache')
    if (rest.length === 1 && options.rootFiles?.includes(rest[0])) {
      const file = join(frontEnd.output, rest[0])
      if (!existsSync(file)) throw notFound()
      if (rest[0].endsWith('.webmanifest'))
        response.header('Content-Type', 'application/manifest+json')
      return response.download(file, true)
    }
    return response.download(join(frontEnd.output, 'index.html'), true)
  }
}
