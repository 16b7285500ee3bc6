import { createReadStream } from 'node:fs'
import { mkdir, rename, copyFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CsvError, parse } from 'csv-parse'
import { E_ERP_NOT_FOUND } from '../errors.js'
import {
  defineJob,
  dispatchJob,
  emitEvent,
  readTenantDb,
  tenantFilePath,
  withTenantDb,
} from '@oryne/sdk'

/*
 * Bulk import of students from CSV, as a job: the file is streamed (never held
 * in memory), valid rows are upserted on enrollment_no in batches, each bad
 * row is reported with its line and reason, and progress is committed with
 * every batch — a crashed import resumes after its last committed line, and
 * running the same file twice changes nothing the second time.
 */

const BATCH = 1000
/** Bad rows kept in the import's report (the count is always exact). */
const MAX_REPORTED_ERRORS = 1000
const GENDERS = new Set(['female', 'male', 'other', 'undisclosed'])
const STATUSES = new Set(['active', 'inactive', 'graduated', 'withdrawn'])
const COLUMNS = [
  'enrollment_no',
  'first_name',
  'last_name',
  'date_of_birth',
  'gender',
  'class',
  'section',
  'status',
]
const REQUIRED = ['enrollment_no', 'first_name', 'last_name']

/*
 * One batch is one statement with one parameter: the rows as a JSON array,
 * expanded by json_to_recordset. A multi-row VALUES list would bind 8
 * parameters per row, and both knex and PostgreSQL pay for each of them
 * (building, parsing and planning 8,000 placeholders per batch).
 */
const UPSERT_STUDENTS = `
INSERT INTO erp_students
  (enrollment_no, first_name, last_name, date_of_birth, gender, status, class_id, section_id)
SELECT r.enrollment_no, r.first_name, r.last_name, r.date_of_birth, r.gender, r.status,
       r.class_id, r.section_id
  FROM json_to_recordset(?::json) AS r(enrollment_no text, first_name text, last_name text,
       date_of_birth date, gender text, status text, class_id bigint, section_id bigint)
    ON CONFLICT (enrollment_no) DO UPDATE SET
       first_name = excluded.first_name, last_name = excluded.last_name,
       date_of_birth = excluded.date_of_birth, gender = excluded.gender,
       status = excluded.status, class_id = excluded.class_id,
       section_id = excluded.section_id, updated_at = now()`

type RowError = { line: number; reason: string }
type StudentRow = Record<string, unknown>

function validDate(value: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
}

/** Checks one CSV record; returns the row to upsert or the reason it is refused. */
function toStudent(
  record: Record<string, string>,
  classes: Map<string, string>,
  sections: Map<string, string>
): StudentRow | string {
  for (const column of REQUIRED) if (!record[column]?.trim()) return `${column} is required`
  const enrollmentNo = record.enrollment_no.trim()
  if (enrollmentNo.length > 40) return 'enrollment_no is longer than 40 characters'
  const first = record.first_name.trim()
  const last = record.last_name.trim()
  if (first.length > 100 || last.length > 100) return 'names are limited to 100 characters'
  const dob = record.date_of_birth?.trim() || null
  if (dob && !validDate(dob)) return `date_of_birth "${dob}" is not a date (YYYY-MM-DD)`
  const gender = record.gender?.trim().toLowerCase() || null
  if (gender && !GENDERS.has(gender))
    return `gender "${gender}" is not one of ${[...GENDERS].join(', ')}`
  const status = record.status?.trim().toLowerCase() || 'active'
  if (!STATUSES.has(status)) return `status "${status}" is not one of ${[...STATUSES].join(', ')}`
  const className = record.class?.trim() || null
  const classId = className ? classes.get(className.toLowerCase()) : null
  if (className && !classId) return `class "${className}" does not exist`
  const sectionName = record.section?.trim() || null
  let sectionId: string | null = null
  if (sectionName) {
    if (!classId) return 'section needs a class'
    sectionId = sections.get(`${classId}:${sectionName.toLowerCase()}`) ?? null
    if (!sectionId) return `section "${sectionName}" does not exist in class "${className}"`
  }
  return {
    enrollment_no: enrollmentNo,
    first_name: first,
    last_name: last,
    date_of_birth: dob,
    gender,
    status,
    class_id: classId,
    section_id: sectionId,
  }
}

/** Keeps a copy of the uploaded file under the tenant's storage and records the import. */
export async function startStudentImport(tmpPath: string, fileName: string, actor: string) {
  const importRow = await withTenantDb(async (trx) => {
    const [row] = await trx
      .insertQuery()
      .table('erp_imports')
      .insert({
        kind: 'students',
        file_name: fileName.slice(0, 200),
        status: 'queued',
        created_by: actor,
      })
      .returning('*')
    return row
  })
  const stored = tenantFilePath(`erp/imports/${importRow.id}.csv`)
  await mkdir(dirname(stored), { recursive: true })
  await rename(tmpPath, stored).catch(async () => {
    await copyFile(tmpPath, stored)
    await rm(tmpPath, { force: true })
  })
  try {
    await dispatchJob(
      importStudents,
      { import_id: String(importRow.id) },
      { jobId: `erp-import-${importRow.id}` }
    )
  } catch (error) {
    // Not queued (Redis unreachable): no import may stay `queued` with nothing to run it.
    await withTenantDb((trx) => trx.from('erp_imports').where('id', importRow.id).delete())
    await rm(stored, { force: true })
    throw error
  }
  return importRow
}

export async function findImport(id: string) {
  const row = await readTenantDb((client, table) =>
    client.from(table('erp_imports')).where('id', id).first()
  )
  if (!row) throw new E_ERP_NOT_FOUND(['Import', id])
  return row
}

/** Runs (or resumes) an import: batches of rows, each committed with the progress it made. */
export async function runStudentImport(importId: string) {
  const job = await findImport(importId)
  if (job.status === 'completed') return job
  const path = tenantFilePath(`erp/imports/${importId}.csv`)
  const { classes, sections } = await readTenantDb(async (client, table) => {
    const classRows = await client.from(table('erp_classes')).select('id', 'name')
    const sectionRows = await client.from(table('erp_sections')).select('id', 'class_id', 'name')
    return {
      classes: new Map(classRows.map((row) => [String(row.name).toLowerCase(), String(row.id)])),
      sections: new Map(
        sectionRows.map((row) => [
          `${row.class_id}:${String(row.name).toLowerCase()}`,
          String(row.id),
        ])
      ),
    }
  })
  // Resume after the last committed line; the counts go on from there.
  const resumeAfter = Number(job.last_line ?? 0)
  let progress = {
    processed: Number(job.processed ?? 0),
    imported: Number(job.imported ?? 0),
    failed: Number(job.failed ?? 0),
  }
  await withTenantDb((trx) =>
    trx
      .from('erp_imports')
      .where('id', importId)
      .update({ status: 'running', started_at: job.started_at ?? new Date() })
  )

  const parser = createReadStream(path).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    })
  )
  let batch: StudentRow[] = []
  let errors: RowError[] = []
  let lastLine = resumeAfter
  let unknownColumns: string[] | null = null

  const flush = async () => {
    if (!batch.length && !errors.length) return
    // Later rows win when a file repeats an enrollment number within one batch.
    const unique = [...new Map(batch.map((row) => [row.enrollment_no, row])).values()]
    const rows = batch
    const rowErrors = errors
    batch = []
    errors = []
    progress = {
      processed: progress.processed + rows.length + rowErrors.length,
      imported: progress.imported + rows.length,
      failed: progress.failed + rowErrors.length,
    }
    const committed = lastLine
    await withTenantDb(async (trx) => {
      if (unique.length) await trx.rawQuery(UPSERT_STUDENTS, [JSON.stringify(unique)])
      await trx.rawQuery(
        `UPDATE erp_imports SET processed = ?, imported = ?, failed = ?, last_line = ?,
           errors = (SELECT coalesce(jsonb_agg(entry ORDER BY position), '[]'::jsonb)
                       FROM jsonb_array_elements(errors || ?::jsonb) WITH ORDINALITY AS kept(entry, position)
                      WHERE position <= ?),
           updated_at = now()
         WHERE id = ?`,
        [
          progress.processed,
          progress.imported,
          progress.failed,
          committed,
          JSON.stringify(rowErrors.slice(0, MAX_REPORTED_ERRORS)),
          MAX_REPORTED_ERRORS,
          importId,
        ]
      )
    })
  }

  /*
   * One batch is written while the next is parsed and checked, so that the
   * parser and PostgreSQL work at the same time. At most one batch is in
   * flight and batches commit in file order, so a resumed import still starts
   * after its last committed line.
   */
  let writing: Promise<void> = Promise.resolve()
  const write = async () => {
    await writing
    // flush() takes the batch and the progress before its first await.
    writing = flush()
    // Awaited before the next batch and at the end; never left unhandled meanwhile.
    writing.catch(() => {})
  }

  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>
      info: { lines: number }
    }>) {
      if (unknownColumns === null) {
        unknownColumns = Object.keys(record).filter((column) => !COLUMNS.includes(column))
        const missing = REQUIRED.filter((column) => !(column in record))
        if (missing.length) {
          await withTenantDb((trx) =>
            trx
              .from('erp_imports')
              .where('id', importId)
              .update({
                status: 'failed',
                errors: JSON.stringify([
                  { line: 1, reason: `missing columns: ${missing.join(', ')}` },
                ]),
                finished_at: new Date(),
              })
          )
          return findImport(importId)
        }
      }
      const line = info.lines
      if (line <= resumeAfter) continue
      lastLine = line
      const student = toStudent(record, classes, sections)
      if (typeof student === 'string') errors.push({ line, reason: student })
      else batch.push(student)
      if (batch.length + errors.length >= BATCH) await write()
    }
    await write()
    await writing
  } catch (error) {
    // A failed file or batch: let the batch in flight settle before the job is retried.
    await writing.catch(() => {})
    // csv-parse's own errors (codes like INVALID_OPENING_QUOTE, QUOTE_NOT_CLOSED; no prefix since v6).
    if (!(error instanceof CsvError)) throw error
    // A malformed file (e.g. an unclosed quote) fails the same way on every retry: keep the
    // rows committed before it, and say where and why the file is broken.
    await write()
    await writing
    await withTenantDb((trx) =>
      trx.rawQuery(
        `UPDATE erp_imports SET status = 'failed', finished_at = now(), updated_at = now(),
           errors = errors || ?::jsonb WHERE id = ?`,
        [
          JSON.stringify([
            {
              line: (error as { lines?: number }).lines ?? lastLine + 1,
              reason: `malformed CSV, the import stopped here: ${(error as Error).message}`,
            },
          ]),
          importId,
        ]
      )
    )
    return findImport(importId)
  }
  await withTenantDb((trx) =>
    trx
      .from('erp_imports')
      .where('id', importId)
      .update({ status: 'completed', finished_at: new Date(), updated_at: new Date() })
  )
  const done = await findImport(importId)
  await emitEvent('erp.import.completed', {
    import_id: importId,
    imported: done.imported,
    failed: done.failed,
  })
  return done
}

/** Tries of one import job; after the last, the import is marked failed whatever stopped it. */
const IMPORT_ATTEMPTS = 3

export const importStudents = defineJob<{ import_id: string }>({
  name: 'erp.import_students',
  queue: 'erp',
  attempts: IMPORT_ATTEMPTS,
  timeout: 30 * 60 * 1000,
  async handle(data, context) {
    try {
      await runStudentImport(data.import_id)
    } catch (error) {
      // Out of tries: the import says so rather than staying `running` for ever.
      if (context.attempt >= IMPORT_ATTEMPTS) await markImportFailed(data.import_id)
      throw error
    }
  },
})

async function markImportFailed(importId: string) {
  await withTenantDb((trx) =>
    trx.rawQuery(
      `UPDATE erp_imports SET status = 'failed', finished_at = now(), updated_at = now(),
         errors = errors || jsonb_build_array(jsonb_build_object('line', coalesce(last_line, 0) + 1,
           'reason', ?::text))
       WHERE id = ? AND status IN ('queued', 'running')`,
      [
        `the import failed ${IMPORT_ATTEMPTS} times and stopped here; the rows before this line are kept`,
        importId,
      ]
    )
  )
}
