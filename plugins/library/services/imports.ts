import { parse } from 'csv-parse/sync'
import { E_IMPORT_INVALID } from '../errors.js'
import { emitEvent, withTenantDb } from '@oryne/sdk'

/*
 * Bulk import of the catalogue from CSV, one row per copy (or per title, with
 * no barcode). Unlike the ERP's student import (a resumable job that keeps
 * good rows), a catalogue import is all or nothing: every row is checked
 * first, each bad row is reported with its row number (the header is row 1),
 * and only a clean file is written, in one transaction. Rows with the same
 * ISBN share one title, as do rows naming a title already in the catalogue by
 * its ISBN.
 */

/** Rows per file: a catalogue import is an interactive request, not a job. */
export const MAX_IMPORT_ROWS = 20_000
const COLUMNS = [
  'isbn',
  'title',
  'authors',
  'subjects',
  'publisher',
  'year',
  'replacement_cost',
  'barcode',
  'shelf_location',
  'reference_only',
]
const ISBN = /^(?:\d[\d-]{8,15}[\dX])$/
const BARCODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const BOOLEANS: Record<string, boolean> = {
  '': false,
  'true': true,
  'false': false,
  'yes': true,
  'no': false,
  '1': true,
  '0': false,
}

type RowError = { row: number; field: string; message: string }
type TitleRow = {
  isbn: string | null
  title: string
  authors: string | null
  subjects: string | null
  publisher: string | null
  year: number | null
  replacement_cost: number | null
}
type CopyRow = {
  title_key: string
  barcode: string
  shelf_location: string | null
  reference_only: boolean
}

function text(
  value: string | undefined,
  max: number,
  field: string,
  row: number,
  errors: RowError[]
) {
  const trimmed = (value ?? '').trim()
  if (trimmed.length > max)
    errors.push({ row, field, message: `${field} is longer than ${max} characters` })
  return trimmed || null
}

function integer(
  value: string | undefined,
  min: number,
  max: number,
  field: string,
  row: number,
  errors: RowError[]
) {
  const trimmed = (value ?? '').trim()
  if (!trimmed) return null
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < min || Number(trimmed) > max) {
    errors.push({
      row,
      field,
      message: `${field} "${trimmed.slice(0, 40)}" is not a whole number from ${min} to ${max}`,
    })
    return null
  }
  return Number(trimmed)
}

/** Parses and checks a catalogue CSV; throws ERR_LIBRARY_IMPORT_INVALID listing every bad row. */
export function readCatalogue(csv: string) {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>
  try {
    records = parse(csv, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      info: true,
    })
  } catch (error) {
    throw new E_IMPORT_INVALID([1], {
      details: [
        {
          row: (error as { lines?: number }).lines ?? 1,
          field: 'file',
          message: `malformed CSV: ${(error as Error).message}`,
        },
      ],
    })
  }
  const errors: RowError[] = []
  if (!records.length) errors.push({ row: 1, field: 'file', message: 'the file has no rows' })
  const header = Object.keys(records[0]?.record ?? {})
  const unknown = header.filter((column) => !COLUMNS.includes(column))
  if (unknown.length)
    errors.push({ row: 1, field: 'header', message: `unknown columns: ${unknown.join(', ')}` })
  if (records.length && !header.includes('title'))
    errors.push({ row: 1, field: 'header', message: 'the column "title" is required' })
  if (records.length > MAX_IMPORT_ROWS)
    errors.push({ row: 1, field: 'file', message: `at most ${MAX_IMPORT_ROWS} rows per file` })
  if (errors.length) throw new E_IMPORT_INVALID([errors.length], { details: errors })

  const titles = new Map<string, TitleRow & { row: number }>()
  const copies: Array<CopyRow & { row: number }> = []
  const barcodes = new Map<string, number>()
  for (const { record, info } of records) {
    const row = info.lines
    const before = errors.length
    const title = text(record.title, 300, 'title', row, errors)
    if (!title) errors.push({ row, field: 'title', message: 'title is required' })
    const isbn = text(record.isbn, 17, 'isbn', row, errors)
    if (isbn && !ISBN.test(isbn))
      errors.push({ row, field: 'isbn', message: `isbn "${isbn}" is not an ISBN` })
    const entry: TitleRow = {
      isbn,
      title: title ?? '',
      authors: text(record.authors, 500, 'authors', row, errors),
      subjects: text(record.subjects, 500, 'subjects', row, errors),
      publisher: text(record.publisher, 200, 'publisher', row, errors),
      year: integer(record.year, 1000, 2200, 'year', row, errors),
      replacement_cost: integer(
        record.replacement_cost,
        0,
        100_000_000,
        'replacement_cost',
        row,
        errors
      ),
    }
    const barcode = text(record.barcode, 60, 'barcode', row, errors)
    if (barcode && !BARCODE.test(barcode))
      errors.push({
        row,
        field: 'barcode',
        message: `barcode "${barcode}" may hold only letters, digits, dot, dash and underscore`,
      })
    if (barcode && barcodes.has(barcode))
      errors.push({
        row,
        field: 'barcode',
        message: `barcode "${barcode}" is also on row ${barcodes.get(barcode)}`,
      })
    const flag = (record.reference_only ?? '').trim().toLowerCase()
    if (!(flag in BOOLEANS))
      errors.push({
        row,
        field: 'reference_only',
        message: `reference_only "${flag.slice(0, 20)}" is not true or false`,
      })
    if (errors.length > before) continue
    // Rows without an ISBN are titles of their own, keyed by their row.
    const key = isbn ? `isbn:${isbn}` : `row:${row}`
    if (!titles.has(key)) titles.set(key, { ...entry, row })
    if (barcode) {
      barcodes.set(barcode, row)
      copies.push({
        title_key: key,
        barcode,
        shelf_location: text(record.shelf_location, 60, 'shelf_location', row, errors),
        reference_only: BOOLEANS[flag],
        row,
      })
    }
  }
  return { titles, copies, errors }
}

/** Imports a catalogue CSV: everything or nothing. */
export async function importCatalogue(csv: string, actor: string) {
  const { titles, copies, errors } = readCatalogue(csv)
  return withTenantDb(async (trx) => {
    const taken = copies.length
      ? await trx
          .from('library_copies')
          .whereIn(
            'barcode',
            copies.map((copy) => copy.barcode)
          )
          .select('barcode')
      : []
    const takenSet = new Set(taken.map((row) => row.barcode))
    for (const copy of copies) {
      if (takenSet.has(copy.barcode))
        errors.push({
          row: copy.row,
          field: 'barcode',
          message: `barcode "${copy.barcode}" is already in the catalogue`,
        })
    }
    if (errors.length) {
      errors.sort((a, b) => a.row - b.row)
      throw new E_IMPORT_INVALID([new Set(errors.map((e) => e.row)).size], { details: errors })
    }
    const isbns = [...titles.values()].map((t) => t.isbn).filter((isbn): isbn is string => !!isbn)
    const existing = isbns.length
      ? await trx.from('library_titles').whereIn('isbn', isbns).select('id', 'isbn')
      : []
    const idOf = new Map<string, string>(
      existing.map((row) => [`isbn:${row.isbn}`, String(row.id)])
    )
    const fresh = [...titles.entries()].filter(([key]) => !idOf.has(key))
    // One statement per chunk, rows as one JSON parameter (as the ERP student import does).
    for (let start = 0; start < fresh.length; start += 1000) {
      const chunk = fresh.slice(start, start + 1000)
      const { rows } = await trx.rawQuery(
        `INSERT INTO library_titles (isbn, title, authors, subjects, publisher, year, replacement_cost)
         SELECT r.isbn, r.title, r.authors, r.subjects, r.publisher, r.year, r.replacement_cost
           FROM json_to_recordset(?::json) AS r(isbn text, title text, authors text,
                subjects text, publisher text, year int, replacement_cost int, position int)
          ORDER BY r.position
         RETURNING id`,
        [JSON.stringify(chunk.map(([, { row, ...title }], position) => ({ ...title, position })))]
      )
      rows.forEach((row: { id: string }, i: number) => idOf.set(chunk[i][0], String(row.id)))
    }
    for (let start = 0; start < copies.length; start += 1000) {
      const chunk = copies.slice(start, start + 1000)
      await trx.rawQuery(
        `INSERT INTO library_copies (title_id, barcode, shelf_location, reference_only, status)
         SELECT r.title_id, r.barcode, r.shelf_location, r.reference_only, 'available'
           FROM json_to_recordset(?::json) AS r(title_id bigint, barcode text, shelf_location text,
                reference_only boolean)`,
        [
          JSON.stringify(
            chunk.map((copy) => ({
              title_id: idOf.get(copy.title_key),
              barcode: copy.barcode,
              shelf_location: copy.shelf_location,
              reference_only: copy.reference_only,
            }))
          ),
        ]
      )
    }
    const result = {
      titles_created: fresh.length,
      titles_matched: titles.size - fresh.length,
      copies_created: copies.length,
    }
    await emitEvent('library.catalogue.imported', result, actor)
    return result
  })
}
