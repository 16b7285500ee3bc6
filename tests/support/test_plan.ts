import { existsSync, readFileSync } from 'node:fs'
import { glob } from 'node:fs/promises'

/*
 * Which spec files a run covers and how they are shared out between the
 * parallel processes of `npm test` (tests/support/parallel_run.ts).
 */

export type SuiteFiles = { name: string; files: string[] }
export type Chunk = { suite: string; files: string[]; weight: number }

/**
 * The compatibility set: the database-facing specs that run again on the
 * oldest PostgreSQL Oryne supports (`npm test -- compat`, CI's PostgreSQL 15
 * pass). Migrations, the fleet, backup/restore/clone, tenancy isolation
 * (PgBouncer included), search and the resource engine: the places where a
 * server version could change behaviour.
 */
export const COMPATIBILITY_SET = [
  'tests/functional/tenant_migrations.spec.ts',
  'tests/functional/tenant_model.spec.ts',
  'tests/functional/tenancy_isolation.spec.ts',
  'tests/functional/tenancy_resolution.spec.ts',
  'tests/functional/search.spec.ts',
  'tests/functional/search_indexes.spec.ts',
  'tests/functional/search_indexing.spec.ts',
  'tests/functional/resources.spec.ts',
  'tests/functional/resources_access.spec.ts',
  'tests/functional/resources_custom_fields.spec.ts',
  'tests/cli/fleet_migrate.spec.ts',
  'tests/cli/backup.spec.ts',
  'tests/cli/pgbouncer.spec.ts',
  'tests/cli/tenant.spec.ts',
]

/** Where a run records how long each spec file took, to share out the next run better. */
export const TIMINGS_FILE = 'tmp/test-timings.json'

/** The suites' spec files, as adonisrc.ts declares them (globs relative to the project root). */
export async function suiteFiles(
  suites: Array<{ name: string; files: string | string[] }>,
  root: string
): Promise<SuiteFiles[]> {
  const result: SuiteFiles[] = []
  for (const suite of suites) {
    const patterns = Array.isArray(suite.files) ? suite.files : [suite.files]
    const files = new Set<string>()
    for (const pattern of patterns) {
      for await (const file of glob(pattern, { cwd: root })) files.add(file)
    }
    result.push({ name: suite.name, files: [...files].sort() })
  }
  return result
}

/**
 * Seconds a file is expected to take: what it took last time on this
 * machine, else a guess from its length (a fresh clone has no timings).
 */
export function weigher(root: string) {
  const path = `${root}/${TIMINGS_FILE}`
  const recorded: Record<string, number> = existsSync(path)
    ? JSON.parse(readFileSync(path, 'utf8'))
    : {}
  return (file: string) => {
    if (recorded[file] !== undefined) return recorded[file]
    const lines = readFileSync(`${root}/${file}`, 'utf8').split('\n').length
    // Specs that start processes cost far more per line than HTTP ones.
    return (lines / 100) * (file.startsWith('tests/cli/') ? 12 : 2.5)
  }
}

/**
 * Splits each suite's files into chunks of about `target` seconds (heaviest
 * files first, each into the lightest chunk), so that a queue of chunks keeps
 * every process busy to the end of the run. Each chunk is one child process:
 * one boot of the application, its own database and Redis prefix.
 */
export function chunksOf(suites: SuiteFiles[], weight: (file: string) => number, target: number) {
  const chunks: Chunk[] = []
  for (const suite of suites) {
    if (!suite.files.length) continue
    const weighted = suite.files.map((file) => ({ file, weight: weight(file) }))
    const total = weighted.reduce((sum, entry) => sum + entry.weight, 0)
    const count = Math.max(1, Math.min(weighted.length, Math.round(total / target)))
    const own: Chunk[] = Array.from({ length: count }, () => ({
      suite: suite.name,
      files: [],
      weight: 0,
    }))
    for (const entry of weighted.sort((a, b) => b.weight - a.weight)) {
      const lightest = own.reduce((min, chunk) => (chunk.weight < min.weight ? chunk : min))
      lightest.files.push(entry.file)
      lightest.weight += entry.weight
    }
    chunks.push(...own)
  }
  return chunks.sort((a, b) => b.weight - a.weight)
}
