/*
 * Bulk import of students from CSV (plugins/erp/services/imports.ts) against a
 * plain COPY of the same rows. A deterministic file of BENCH_ROWS (default
 * 100,000) students, 1% of them bad in twelve ways, goes the whole way a school's
 * upload goes: POST /api/v1/erp/imports/students (multipart), the bull job on
 * Redis, taken by a worker in this process (as `oryne up` runs one), which
 * streams the file, validates, upserts in batches and commits progress. The
 * baseline COPYs the valid rows, already resolved to class and section ids,
 * into the same table of a second tenant. A second upload of the same file
 * shows the idempotent re-import. Reports rows/s, the ratio, the peak RSS of
 * the process while each load runs, and checks counts, error lines and that
 * both tenants end with the same students. PostgreSQL runs with fsync on.
 */
process.env.LOG_LEVEL ??= 'warn'

import { once } from 'node:events'
import { createReadStream, createWriteStream, mkdtempSync, openAsBlob } from 'node:fs'
import { rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { cpuWindow, postmasterOf, type CpuUse } from './support/cpu.js'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'

// Uploaded files are kept under the tenant's storage: a throwaway directory, not the repository's storage/.
const workDir = mkdtempSync(join(tmpdir(), 'oryne-bench-import-'))
process.env.ORYNE_STORAGE_DIR = join(workDir, 'storage')

const ROWS = Number(process.env.BENCH_ROWS) || 100_000
/** Bad rows an import keeps in its report (MAX_REPORTED_ERRORS of imports.ts). */
const MAX_REPORTED = 1000
/** One row in BAD_EVERY is bad, of the kind its position selects. */
const BAD_EVERY = 100
const CLASSES = Array.from({ length: 12 }, (_, i) => `Grade ${i + 1}`)
const SECTIONS = ['A', 'B', 'C', 'D']
const GENDERS = ['female', 'male', 'other', 'undisclosed']
const STATUSES = ['active', 'inactive', 'graduated', 'withdrawn']
const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Chinua',
  'Wangari',
  'Émile',
  'Zoë',
  'Li',
  'Ngozi',
  'Ravi',
  'Ana María',
  "D'Arcy",
]
const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Achebe',
  'Maathai',
  "O'Brien",
  'Nakamura',
  'Smith, Jr',
  'van der Berg',
  'Núñez',
  '"Ace" Rimmer',
  'Okafor',
]

/** What a bad row does wrong, and the reason the import must give for it. */
const BAD_KINDS: Array<{ kind: string; reason: RegExp; fields: (n: number) => string[] }> = [
  {
    kind: 'no enrollment_no',
    reason: /^enrollment_no is required$/,
    fields: () => ['', 'No', 'Number', '2012-01-01', 'male', 'Grade 3', 'A', ''],
  },
  {
    kind: 'no first_name',
    reason: /^first_name is required$/,
    fields: (n) => [`B${n}`, '  ', 'Blank', '2012-01-01', 'male', 'Grade 3', 'A', ''],
  },
  {
    kind: 'impossible date',
    reason: /^date_of_birth "2012-02-30"/,
    fields: (n) => [`B${n}`, 'Bad', 'Date', '2012-02-30', 'female', 'Grade 3', 'A', ''],
  },
  {
    kind: 'date format',
    reason: /^date_of_birth "30\/01\/2012"/,
    fields: (n) => [`B${n}`, 'Bad', 'Format', '30/01/2012', 'female', 'Grade 3', 'B', ''],
  },
  {
    kind: 'unknown gender',
    reason: /^gender "f"/,
    fields: (n) => [`B${n}`, 'Bad', 'Gender', '2012-01-01', 'F', 'Grade 3', 'B', ''],
  },
  {
    kind: 'unknown status',
    reason: /^status "expelled"/,
    fields: (n) => [`B${n}`, 'Bad', 'Status', '2012-01-01', 'male', 'Grade 3', 'C', 'expelled'],
  },
  {
    kind: 'unknown class',
    reason: /^class "Grade 13" does not exist$/,
    fields: (n) => [`B${n}`, 'Bad', 'Class', '2012-01-01', 'male', 'Grade 13', 'A', ''],
  },
  {
    kind: 'unknown section',
    reason: /^section "Z" does not exist in class "Grade 4"$/,
    fields: (n) => [`B${n}`, 'Bad', 'Section', '2012-01-01', 'male', 'Grade 4', 'Z', ''],
  },
  {
    kind: 'section without class',
    reason: /^section needs a class$/,
    fields: (n) => [`B${n}`, 'No', 'Class', '2012-01-01', 'male', '', 'A', ''],
  },
  {
    kind: 'enrollment_no too long',
    reason: /^enrollment_no is longer than 40/,
    fields: (n) => [`B${n}-${'x'.repeat(40)}`, 'Long', 'Number', '', '', '', '', ''],
  },
  {
    kind: 'name too long',
    reason: /^names are limited to 100/,
    fields: (n) => [`B${n}`, 'N'.repeat(101), 'Long', '', '', '', '', ''],
  },
  { kind: 'too few columns', reason: /^last_name is required$/, fields: (n) => [`B${n}`, 'Short'] },
]

/** A student as the import must store it: trimmed, lower-cased, class and section by name. */
type Student = {
  enrollmentNo: string
  firstName: string
  lastName: string
  dateOfBirth: string | null
  gender: string | null
  className: string | null
  section: string | null
  status: string
}
type Row = { line: number; fields: string[]; student?: Student; bad?: (typeof BAD_KINDS)[number] }

/** mulberry32: a small seeded generator, so every run writes the same file. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function csvField(value: string) {
  return /[",\n\r]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** The file's rows, one at a time (line 1 is the header). */
function* rows(): Generator<Row> {
  const next = random(20261125)
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]
  for (let i = 0; i < ROWS; i++) {
    const line = i + 2
    if (i % BAD_EVERY === BAD_EVERY / 2) {
      const bad = BAD_KINDS[Math.floor(i / BAD_EVERY) % BAD_KINDS.length]
      yield { line, fields: bad.fields(i), bad }
      continue
    }
    const firstName = pick(FIRST_NAMES)
    const lastName = pick(LAST_NAMES)
    const dateOfBirth =
      next() < 0.95
        ? `${2005 + Math.floor(next() * 14)}-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-${String(1 + Math.floor(next() * 28)).padStart(2, '0')}`
        : null
    const gender = next() < 0.9 ? pick(GENDERS) : null
    const className = next() < 0.95 ? pick(CLASSES) : null
    const section = className && next() < 0.85 ? pick(SECTIONS) : null
    const status = next() < 0.8 ? null : pick(STATUSES)
    // What a spreadsheet export looks like: stray spaces, mixed case.
    const casing = next()
    const fields = [
      `E${String(i).padStart(7, '0')}`,
      casing < 0.05 ? ` ${firstName} ` : firstName,
      lastName,
      dateOfBirth ?? '',
      gender && casing < 0.1 ? gender.toUpperCase() : (gender ?? ''),
      className && casing < 0.15 ? className.toLowerCase() : (className ?? ''),
      section ?? '',
      status ?? '',
    ]
    yield {
      line,
      fields,
      student: {
        enrollmentNo: fields[0],
        firstName,
        lastName,
        dateOfBirth,
        gender,
        className,
        section,
        status: status ?? 'active',
      },
    }
  }
}

/** Writes lines to a file, waiting when the stream's buffer is full. */
async function writeLines(path: string, lines: Iterable<string>) {
  const out = createWriteStream(path)
  for (const line of lines) {
    if (!out.write(line + '\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/** The highest RSS of this process, sampled every 20 ms until `stop()`. */
function peakRss() {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss())
    },
  }
}

const mib = (bytes: number) => fixed(bytes / 1024 ** 2, 0)

const oryne = await startOryne('web', { durable: process.env.BENCH_FSYNC !== 'off' })
let copyClient: pg.Client | undefined

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: jobs } = await import('#core/services/jobs')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const plugins = await oryne.app.container.make('oryne.plugins')

  /** A tenant with erp enabled and the classes and sections the file names. */
  async function schoolTenant(slug: string) {
    const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
    const { tenant } = await tenancy.provisionNow(created.id, 'bench')
    await plugins.enable(tenant, ['erp'], { actor: 'bench' })
    return tenantContext.run(tenant, () =>
      withTenantDb(async (trx) => {
        const classes = await trx
          .insertQuery()
          .table('erp_classes')
          .multiInsert(CLASSES.map((name, i) => ({ name, grade_level: i + 1 })))
          .returning(['id', 'name'])
        const sections = await trx
          .insertQuery()
          .table('erp_sections')
          .multiInsert(
            classes.flatMap((row) => SECTIONS.map((name) => ({ class_id: row.id, name })))
          )
          .returning(['id', 'class_id', 'name'])
        const classIds = new Map(classes.map((row) => [row.name as string, String(row.id)]))
        const sectionIds = new Map(
          sections.map((row) => [`${row.class_id}:${row.name}`, String(row.id)])
        )
        return { tenant: tenant as Tenant, classIds, sectionIds }
      })
    )
  }

  const stamp = Date.now().toString(36)
  const imported = await schoolTenant(`bench-import-${stamp}`)
  const copied = await schoolTenant(`bench-copy-${stamp}`)

  // The upload, and the valid rows as COPY takes them (ids resolved, empty = NULL).
  const csvPath = join(workDir, 'students.csv')
  const copyPath = join(workDir, 'students.copy.csv')
  const expectedErrors = new Map<number, RegExp>()
  const badKinds = new Map<string, number>()
  let valid = 0
  await writeLines(
    csvPath,
    (function* () {
      yield 'enrollment_no,first_name,last_name,date_of_birth,gender,class,section,status'
      for (const row of rows()) {
        if (row.bad) {
          expectedErrors.set(row.line, row.bad.reason)
          badKinds.set(row.bad.kind, (badKinds.get(row.bad.kind) ?? 0) + 1)
        } else valid += 1
        yield row.fields.map(csvField).join(',')
      }
    })()
  )
  await writeLines(
    copyPath,
    (function* () {
      for (const { student } of rows()) {
        if (!student) continue
        const classId = student.className ? copied.classIds.get(student.className)! : null
        const sectionId =
          classId && student.section
            ? copied.sectionIds.get(`${classId}:${student.section}`)!
            : null
        yield [
          csvField(student.enrollmentNo),
          csvField(student.firstName),
          csvField(student.lastName),
          student.dateOfBirth ?? '',
          student.gender ?? '',
          classId ?? '',
          sectionId ?? '',
          student.status,
        ].join(',')
      }
    })()
  )
  const bad = expectedErrors.size
  const { size } = await openAsBlob(csvPath)
  console.log(
    `File: ${ROWS} rows (${valid} valid, ${bad} bad: ${[...badKinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}), ${fixed(size / 1024 ** 2, 1)} MiB`
  )

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  await jobs.work(['erp'])
  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmasterPid = await postmasterOf(backend[0].pid)

  type ImportRow = {
    id: string
    status: string
    processed: number
    imported: number
    failed: number
    errors: Array<{ line: number; reason: string }>
    started_at: Date
    finished_at: Date
  }
  const importRow = async (id: string): Promise<ImportRow> => {
    const { rows: found } = await db.rawQuery(
      `SELECT * FROM "${imported.tenant.schema_name}".erp_imports WHERE id = ?`,
      [id]
    )
    return found[0]
  }

  type Measured = {
    seconds: number
    uploadSeconds?: number
    queuedSeconds?: number
    jobSeconds?: number
    rssBefore: number
    rssPeak: number
    /** RSS when the import had processed a quarter, half, three quarters of the file. */
    rssAt: Array<number | null>
    cpu: CpuUse
    row?: ImportRow
  }

  /** Uploads the file through HTTP and waits until the worker has finished the import. */
  async function importThroughHttp(): Promise<Measured> {
    const rssBefore = process.memoryUsage.rss()
    const sampler = peakRss()
    const window = await cpuWindow(postmasterPid)
    const started = performance.now()
    const form = new FormData()
    form.append('file', await openAsBlob(csvPath, { type: 'text/csv' }), 'students.csv')
    const response = await fetch(`${server.url}/api/v1/erp/imports/students`, {
      method: 'POST',
      headers: {
        'x-tenant-id': imported.tenant.slug,
        'authorization': `Bearer ${process.env.ORYNE_PLATFORM_TOKEN}`,
      },
      body: form,
    })
    const body = (await response.json()) as { data: { id: string } }
    if (response.status !== 202)
      throw new Error(`Upload answered ${response.status}: ${JSON.stringify(body)}`)
    const uploaded = performance.now()
    const quarters: Array<number | null> = [null, null, null]
    let row: ImportRow
    for (;;) {
      row = await importRow(body.data.id)
      quarters.forEach((rss, q) => {
        if (rss === null && row.processed >= ((q + 1) * ROWS) / 4)
          quarters[q] = process.memoryUsage.rss()
      })
      if (row.status === 'completed' || row.status === 'failed') break
      await sleep(100)
    }
    const seconds = (performance.now() - started) / 1000
    const cpu = await window.finish()
    return {
      seconds,
      uploadSeconds: (uploaded - started) / 1000,
      jobSeconds: (row.finished_at.getTime() - row.started_at.getTime()) / 1000,
      queuedSeconds: (row.started_at.getTime() - (performance.timeOrigin + uploaded)) / 1000,
      rssBefore,
      rssPeak: sampler.stop(),
      rssAt: quarters,
      cpu,
      row,
    }
  }

  /** The baseline: the valid rows streamed from disk through COPY, one statement. */
  async function copyIntoTable(): Promise<Measured & { copiedRows: number }> {
    copyClient = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await copyClient.connect()
    const rssBefore = process.memoryUsage.rss()
    const sampler = peakRss()
    const window = await cpuWindow(postmasterPid)
    const started = performance.now()
    const stream = copyClient.query(
      copyFrom(
        `COPY "${copied.tenant.schema_name}".erp_students
           (enrollment_no, first_name, last_name, date_of_birth, gender, class_id, section_id, status)
         FROM STDIN WITH (FORMAT csv)`
      )
    )
    await pipeline(createReadStream(copyPath), stream)
    const seconds = (performance.now() - started) / 1000
    const cpu = await window.finish()
    await copyClient.end()
    copyClient = undefined
    return {
      seconds,
      rssBefore,
      rssPeak: sampler.stop(),
      rssAt: [null, null, null],
      cpu,
      copiedRows: stream.rowCount,
    }
  }

  /** Every student of a tenant, by class and section name, as one digest. */
  async function studentsDigest(tenant: Tenant) {
    const schema = tenant.schema_name
    const { rows: found } = await db.rawQuery(
      `SELECT count(*)::int AS total,
              md5(string_agg(concat_ws('|', s.enrollment_no, s.first_name, s.last_name,
                  coalesce(s.date_of_birth::text, '-'), coalesce(s.gender, '-'), s.status,
                  coalesce(c.name, '-'), coalesce(x.name, '-')), E'\\n' ORDER BY s.enrollment_no)) AS digest
         FROM "${schema}".erp_students s
         LEFT JOIN "${schema}".erp_classes c ON c.id = s.class_id
         LEFT JOIN "${schema}".erp_sections x ON x.id = s.section_id`
    )
    return found[0] as { total: number; digest: string }
  }

  /** Refuses figures of an import that did not import exactly the valid rows and report every bad one. */
  function check(label: string, row: ImportRow) {
    const problems: string[] = []
    if (row.status !== 'completed') problems.push(`status ${row.status}`)
    if (row.processed !== ROWS) problems.push(`processed ${row.processed}, expected ${ROWS}`)
    if (row.imported !== valid) problems.push(`imported ${row.imported}, expected ${valid}`)
    if (row.failed !== bad) problems.push(`failed ${row.failed}, expected ${bad}`)
    // The import keeps the first 1,000 or so bad rows in its report (the count stays exact).
    const reported = new Map(row.errors.map((error) => [error.line, error.reason]))
    for (const [line, given] of reported) {
      const reason = expectedErrors.get(line)
      if (!reason) problems.push(`line ${line} reported but not bad: "${given}"`)
      else if (!reason.test(given))
        problems.push(`line ${line}: "${given}" does not match ${reason}`)
    }
    const firstBad = [...expectedErrors.keys()].slice(0, MAX_REPORTED)
    const missing = firstBad.filter((line) => !reported.has(line))
    if (missing.length) problems.push(`bad lines not reported: ${missing.slice(0, 5).join(', ')}`)
    if (problems.length) throw new Error(`${label}: ${problems.slice(0, 10).join('; ')}`)
  }

  console.log(
    `NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}, PostgreSQL fsync=${process.env.BENCH_FSYNC === 'off' ? 'off' : 'on'}`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  console.log('Import through HTTP and the worker, into an empty table...')
  const first = await importThroughHttp()
  check('First import', first.row!)
  console.log('COPY of the valid rows into the other tenant...')
  const copy = await copyIntoTable()
  if (copy.copiedRows !== valid)
    throw new Error(`COPY loaded ${copy.copiedRows} rows, expected ${valid}`)
  console.log('The same file again (every row an update)...')
  const again = await importThroughHttp()
  check('Second import', again.row!)

  const [oryneStudents, copyStudents] = await Promise.all([
    studentsDigest(imported.tenant),
    studentsDigest(copied.tenant),
  ])
  if (oryneStudents.total !== valid || oryneStudents.digest !== copyStudents.digest) {
    throw new Error(
      `The tenants hold different students: import ${JSON.stringify(oryneStudents)}, COPY ${JSON.stringify(copyStudents)}`
    )
  }
  console.log(
    `Checked: both imports completed with imported ${valid}, failed ${bad}, every bad line reported with ` +
      `its reason; both tenants hold the same ${valid} students (digest ${oryneStudents.digest}).`
  )

  const perSecond = (count: number, seconds: number) => fixed(count / seconds, 0)
  const rssAt = (m: Measured) => m.rssAt.map((rss) => (rss === null ? '?' : mib(rss))).join(' / ')
  printTable(
    `Student CSV import, ${ROWS} rows (${valid} valid, ${bad} bad), against COPY of the ${valid} valid rows`,
    ['', 'Import (empty table)', 'Import again (updates)', 'COPY', 'Import / COPY'],
    [
      [
        'Valid rows/s, end to end',
        perSecond(valid, first.seconds),
        perSecond(valid, again.seconds),
        perSecond(valid, copy.seconds),
        fixed(copy.seconds / first.seconds, 3),
      ],
      [
        'File rows/s, end to end',
        perSecond(ROWS, first.seconds),
        perSecond(ROWS, again.seconds),
        '',
        '',
      ],
      [
        'Seconds, end to end',
        fixed(first.seconds, 2),
        fixed(again.seconds, 2),
        fixed(copy.seconds, 2),
        fixed(first.seconds / copy.seconds, 1),
      ],
      [
        'Upload (request to 202)',
        fixed(first.uploadSeconds!, 2),
        fixed(again.uploadSeconds!, 2),
        '',
        '',
      ],
      [
        'Queued (202 to job start)',
        fixed(first.queuedSeconds!, 2),
        fixed(again.queuedSeconds!, 2),
        '',
        '',
      ],
      [
        'Job (start to completed)',
        fixed(first.jobSeconds!, 2),
        fixed(again.jobSeconds!, 2),
        '',
        '',
      ],
      ['RSS before (MiB)', mib(first.rssBefore), mib(again.rssBefore), mib(copy.rssBefore), ''],
      ['RSS peak during (MiB)', mib(first.rssPeak), mib(again.rssPeak), mib(copy.rssPeak), ''],
      ['RSS at 25% / 50% / 75% of the rows (MiB)', rssAt(first), rssAt(again), '', ''],
      [
        'Main thread CPU (s), PostgreSQL CPU (s)',
        `${fixed(first.cpu.threadMs / 1000, 1)}, ${fixed(first.cpu.postgresMs / 1000, 1)}`,
        `${fixed(again.cpu.threadMs / 1000, 1)}, ${fixed(again.cpu.postgresMs / 1000, 1)}`,
        `${fixed(copy.cpu.threadMs / 1000, 1)}, ${fixed(copy.cpu.postgresMs / 1000, 1)}`,
        '',
      ],
      [
        `Other processes (of ${cpus().length} cores)`,
        `${fixed(100 * first.cpu.othersBusy, 0)}%`,
        `${fixed(100 * again.cpu.othersBusy, 0)}%`,
        `${fixed(100 * copy.cpu.othersBusy, 0)}%`,
        '',
      ],
    ]
  )
  console.log(
    '\n"Import / COPY" is the import\'s share of COPY\'s throughput (valid rows/s), then how many times longer it took.'
  )
  console.log(`Load average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await copyClient?.end()
  await oryne.stop()
  await rm(workDir, { recursive: true, force: true })
}
