import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import ExcelJS from 'exceljs'

/*
 * Export files written row by row to a temporary file: neither format keeps
 * the list in memory (exceljs's streaming writer commits each row).
 */

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
}

export interface RowWriter {
  write(record: Record<string, unknown>): Promise<void>
  close(): Promise<void>
}

/** Spreadsheets run text starting with these as formulas: such cells are written as text. */
const FORMULA = /^[=+\-@\t\r]/

function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  const text = String(value)
  return typeof value === 'string' && FORMULA.test(text) ? `'${text}` : text
}

function csvField(text: string) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

class CsvWriter implements RowWriter {
  #out: WriteStream

  constructor(
    path: string,
    private columns: string[]
  ) {
    this.#out = createWriteStream(path)
    // The byte-order mark makes spreadsheet programs read the file as UTF-8.
    this.#out.write(`\ufeff${columns.map(csvField).join(',')}\r\n`)
  }

  async write(record: Record<string, unknown>) {
    const line = `${this.columns.map((column) => csvField(cellText(record[column]))).join(',')}\r\n`
    if (!this.#out.write(line)) await once(this.#out, 'drain')
  }

  async close() {
    this.#out.end()
    await once(this.#out, 'finish')
  }
}

class XlsxWriter implements RowWriter {
  #workbook: ExcelJS.stream.xlsx.WorkbookWriter
  #sheet: ExcelJS.Worksheet

  constructor(
    path: string,
    private columns: string[],
    sheetName: string
  ) {
    this.#workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: path,
      useStyles: false,
      useSharedStrings: false,
    })
    this.#sheet = this.#workbook.addWorksheet(sheetName.slice(0, 31))
    this.#sheet.addRow(columns).commit()
  }

  async write(record: Record<string, unknown>) {
    this.#sheet
      .addRow(
        this.columns.map((column) => {
          const value = record[column]
          return typeof value === 'number' || typeof value === 'boolean' ? value : cellText(value)
        })
      )
      .commit()
  }

  async close() {
    this.#sheet.commit()
    await this.#workbook.commit()
  }
}

export function rowWriter(
  format: ExportFormat,
  path: string,
  columns: string[],
  sheetName: string
): RowWriter {
  return format === 'csv' ? new CsvWriter(path, columns) : new XlsxWriter(path, columns, sheetName)
}
