import { existsSync } from 'node:fs'
import PDFDocument from 'pdfkit'

/*
 * A small layout vocabulary over pdfkit (no browser): headings, label/value
 * pairs, tables and paragraphs, so that plugin documents look alike. The raw
 * pdfkit document stays reachable for anything else.
 */

/** A Unicode font when the machine has one (₹, ł, ...); pdfkit's Helvetica covers Latin-1 only. */
const FONT_CANDIDATES = [
  process.env.ORYNE_PDF_FONT,
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
]
const BOLD_CANDIDATES = [
  process.env.ORYNE_PDF_FONT_BOLD,
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
]
const found = (paths: Array<string | undefined>) => paths.find((path) => path && existsSync(path))
const REGULAR = found(FONT_CANDIDATES) ?? 'Helvetica'
const BOLD = found(BOLD_CANDIDATES) ?? (REGULAR === 'Helvetica' ? 'Helvetica-Bold' : REGULAR)

export type TableColumn = { header: string; width?: number; align?: 'left' | 'right' | 'center' }

export class DocumentWriter {
  readonly pdf: PDFKit.PDFDocument
  /** The tenant's name, for headings and signatures. */
  readonly institution: string
  #left = 50
  #width: number

  constructor(pdf: PDFKit.PDFDocument, institution: string) {
    this.pdf = pdf
    this.institution = institution
    this.#width = pdf.page.width - this.#left * 2
    pdf.font(REGULAR)
  }

  /** The institution's name and the document title. */
  heading(institution: string, title: string) {
    this.pdf
      .font(BOLD)
      .fontSize(16)
      .text(institution, this.#left, undefined, { width: this.#width })
    this.pdf.font(REGULAR).fontSize(12).fillColor('#444').text(title).fillColor('black')
    this.pdf.moveDown()
    return this
  }

  section(title: string) {
    this.pdf.moveDown(0.5).font(BOLD).fontSize(12).text(title, this.#left).font(REGULAR)
    this.pdf.moveDown(0.3)
    return this
  }

  paragraph(text: string) {
    this.pdf.font(REGULAR).fontSize(10).text(text, this.#left, undefined, { width: this.#width })
    this.pdf.moveDown(0.5)
    return this
  }

  /** Label / value lines, e.g. [["Receipt no.", "RCT-000012"], ["Amount", "€1,250.00"]]. */
  fields(pairs: Array<[string, string]>) {
    this.pdf.fontSize(10)
    for (const [label, value] of pairs) {
      const y = this.pdf.y
      this.pdf.font(BOLD).text(label, this.#left, y, { width: 150 })
      this.pdf.font(REGULAR).text(value || '-', this.#left + 160, y, { width: this.#width - 160 })
      this.pdf.moveDown(0.2)
    }
    this.pdf.moveDown(0.5)
    return this
  }

  /** A table; widths are shares of the page width (equal when left out). */
  table(columns: TableColumn[], rows: string[][]) {
    const total = columns.reduce((sum, column) => sum + (column.width ?? 1), 0)
    const widths = columns.map((column) => ((column.width ?? 1) / total) * this.#width)
    const line = (cells: string[], bold: boolean) => {
      if (this.pdf.y > this.pdf.page.height - 80) this.pdf.addPage()
      const y = this.pdf.y
      let x = this.#left
      let bottom = y
      this.pdf.font(bold ? BOLD : REGULAR).fontSize(10)
      cells.forEach((cell, index) => {
        this.pdf.text(cell ?? '', x + 2, y, {
          width: widths[index] - 4,
          align: columns[index].align ?? 'left',
        })
        bottom = Math.max(bottom, this.pdf.y)
        x += widths[index]
      })
      this.pdf.y = bottom + 4
    }
    line(
      columns.map((column) => column.header),
      true
    )
    this.pdf
      .moveTo(this.#left, this.pdf.y - 2)
      .lineTo(this.#left + this.#width, this.pdf.y - 2)
      .stroke()
    for (const row of rows) line(row, false)
    this.pdf.moveDown(0.5)
    this.pdf.x = this.#left
    return this
  }

  /** A closing line in small print (issue date, signature). */
  footer(text: string) {
    this.pdf.moveDown(1).font(REGULAR).fontSize(8).fillColor('#666')
    this.pdf.text(text, this.#left, undefined, { width: this.#width }).fillColor('black')
    return this
  }
}

/** Renders a PDF into memory: documents are a few pages, sent whole with a Content-Length. */
export async function renderPdf(
  meta: { title: string; author: string },
  draw: (writer: DocumentWriter) => void | Promise<void>
): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: meta.title, Author: meta.author },
  })
  const chunks: Buffer[] = []
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)))
    pdf.on('error', reject)
  })
  await draw(new DocumentWriter(pdf, meta.author))
  pdf.end()
  return done
}
