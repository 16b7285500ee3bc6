import { DateTime } from 'luxon'
import { E_ERP_NOT_FOUND } from './errors.js'
import { balanceOf } from './services/fees.js'
import { defineDocument, readTenantDb, type DocumentContext, type TenantFormat } from '@oryne/sdk'

/*
 * ERP documents (GET /api/v1/documents/erp.<name>/<id>): the fee receipt of a
 * payment, an invoice with its lines and payments, and the admission letter
 * of an applicant. Who may have one is who may read the record it is about.
 */

type Row = Record<string, any>

const METHODS: Record<string, string> = {
  cash: 'Cash',
  bank_transfer: 'Bank transfer',
  card: 'Card',
  online: 'Online',
  cheque: 'Cheque',
  other: 'Other',
}

/** Today in the tenant's time zone, as the tenant writes dates. */
function issuedToday(format: TenantFormat) {
  return format.date(DateTime.now().setZone(format.timeZone).toISODate())
}

/** A student with the names of their class and section. */
async function studentOf(id: unknown): Promise<Row> {
  const student = await readTenantDb((client, table) =>
    client
      .from(table('erp_students', 's'))
      .leftJoin(table('erp_classes', 'c'), 'c.id', 's.class_id')
      .leftJoin(table('erp_sections', 'x'), 'x.id', 's.section_id')
      .where('s.id', id as string)
      .select('s.*', 'c.name as class_name', 'x.name as section_name')
      .first()
  )
  if (!student) throw new E_ERP_NOT_FOUND(['Student', String(id)])
  return student
}

const fullName = (person: Row) => `${person.first_name} ${person.last_name}`
const classOf = (student: Row) =>
  [student.class_name, student.section_name].filter(Boolean).join(' – ') || '-'

async function invoiceOf(id: unknown): Promise<Row> {
  const invoice = await readTenantDb((client, table) =>
    client
      .from(table('erp_invoices'))
      .where('id', id as string)
      .first()
  )
  if (!invoice) throw new E_ERP_NOT_FOUND(['Invoice', String(id)])
  return invoice
}

export const feeReceipt = defineDocument({
  name: 'fee_receipt',
  title: 'Fee receipt',
  description: 'The receipt of one payment, with what is left to pay on its invoice.',
  resource: 'erp.payments',
  async load({ id }: DocumentContext) {
    const payment = await readTenantDb((client, table) =>
      client.from(table('erp_payments')).where('id', id).first()
    )
    if (!payment) throw new E_ERP_NOT_FOUND(['Payment', id])
    const invoice = await invoiceOf(payment.invoice_id)
    return { payment, invoice, student: await studentOf(invoice.student_id) }
  },
  render(writer, { payment, invoice, student }, format) {
    writer.heading(writer.institution, `Fee receipt ${payment.receipt_no}`)
    writer.fields([
      ['Receipt no.', payment.receipt_no],
      ['Date', format.date(payment.paid_on)],
      ['Student', fullName(student)],
      ['Enrollment no.', student.enrollment_no],
      ['Class', classOf(student)],
      ['Invoice', invoice.number],
      ['Method', METHODS[payment.method] ?? payment.method],
      ['Reference', payment.reference ?? ''],
    ])
    writer.section('Amount received')
    writer.table(
      [
        { header: 'Description', width: 3 },
        { header: 'Amount', width: 1, align: 'right' },
      ],
      [
        [`Payment towards invoice ${invoice.number}`, format.money(payment.amount)],
        ...(Number(payment.refunded)
          ? [['Refunded', format.money(-Number(payment.refunded))]]
          : []),
      ]
    )
    writer.fields([['Balance on the invoice', format.money(balanceOf(invoice))]])
    writer.footer(`Issued on ${issuedToday(format)}. This receipt is computer generated.`)
  },
  fileName: ({ payment }) => `receipt-${payment.receipt_no}`,
})

export const invoiceDocument = defineDocument({
  name: 'invoice',
  title: 'Invoice',
  description: 'An invoice with its lines, discounts, late fine and payments.',
  resource: 'erp.invoices',
  async load({ id }: DocumentContext) {
    const invoice = await invoiceOf(id)
    const { lines, payments } = await readTenantDb(async (client, table) => ({
      lines: await client.from(table('erp_invoice_lines')).where('invoice_id', id).orderBy('id'),
      payments: await client.from(table('erp_payments')).where('invoice_id', id).orderBy('id'),
    }))
    return { invoice, lines, payments, student: await studentOf(invoice.student_id) }
  },
  render(writer, { invoice, lines, payments, student }, format) {
    writer.heading(writer.institution, `Invoice ${invoice.number}`)
    writer.fields([
      ['Invoice no.', invoice.number],
      ['Issued on', format.date(invoice.issued_on)],
      ['Due on', format.date(invoice.due_on)],
      ['Student', fullName(student)],
      ['Enrollment no.', student.enrollment_no],
      ['Class', classOf(student)],
    ])
    writer.table(
      [
        { header: 'Description', width: 3 },
        { header: 'Amount', width: 1, align: 'right' },
        { header: 'Discount', width: 1, align: 'right' },
      ],
      lines.map((line: Row) => [
        line.description,
        format.money(line.amount),
        Number(line.discount) ? format.money(line.discount) : '',
      ])
    )
    writer.fields([
      ['Total', format.money(invoice.amount)],
      ['Discount', format.money(invoice.discount)],
      ['Late fine', format.money(invoice.fine)],
      ['Paid', format.money(Number(invoice.paid) - Number(invoice.refunded))],
      ['Balance due', format.money(balanceOf(invoice))],
    ])
    if (payments.length) {
      writer.section('Payments')
      writer.table(
        [{ header: 'Receipt' }, { header: 'Date' }, { header: 'Amount', align: 'right' }],
        payments.map((payment: Row) => [
          payment.receipt_no,
          format.date(payment.paid_on),
          format.money(payment.amount),
        ])
      )
    }
    writer.footer(`Issued on ${issuedToday(format)}.`)
  },
  fileName: ({ invoice }) => `invoice-${invoice.number}`,
})

/** What the letter says for each state of the application. */
const DECISIONS: Record<string, (name: string, place: string) => string> = {
  accepted: (name, place) =>
    `We are pleased to offer ${name} a place in ${place}. Please confirm the place and complete the enrolment formalities with the admissions office.`,
  enrolled: (name, place) =>
    `We are pleased to confirm that ${name} is enrolled in ${place}. Welcome to our school.`,
  waitlisted: (name, place) =>
    `${name} has been placed on the waiting list for ${place}. We will write again as soon as a place becomes available.`,
  rejected: (name, place) =>
    `We regret that we are unable to offer ${name} a place in ${place} this time.`,
}

export const admissionLetter = defineDocument({
  name: 'admission_letter',
  title: 'Admission letter',
  description:
    "The admissions office's letter to an applicant's guardian: offer, enrolment, waiting list or decision.",
  resource: 'erp.applicants',
  async load({ id }: DocumentContext) {
    const applicant = await readTenantDb((client, table) =>
      client
        .from(table('erp_applicants', 'a'))
        .join(table('erp_admission_campaigns', 'k'), 'k.id', 'a.campaign_id')
        .leftJoin(table('erp_classes', 'c'), 'c.id', 'k.class_id')
        .where('a.id', id)
        .select('a.*', 'k.name as campaign_name', 'c.name as class_name')
        .first()
    )
    if (!applicant) throw new E_ERP_NOT_FOUND(['Applicant', id])
    return applicant
  },
  render(writer, applicant, format) {
    const name = fullName(applicant)
    const place = `${applicant.class_name ?? 'the class applied for'} (${applicant.campaign_name})`
    writer.heading(writer.institution, 'Admission letter')
    writer.fields([
      ['Date', issuedToday(format)],
      ['Applicant', name],
      ['Application no.', String(applicant.id)],
      ['Admission', applicant.campaign_name],
    ])
    writer.paragraph(`Dear ${applicant.guardian_name},`)
    const decision = DECISIONS[applicant.status]
    writer.paragraph(
      decision
        ? decision(name, place)
        : `We have received the application of ${name} for ${place}; it is being reviewed and we will write to you with our decision.`
    )
    if (applicant.decision_note) writer.paragraph(applicant.decision_note)
    writer.paragraph('Yours sincerely,')
    writer.paragraph(`The admissions office, ${writer.institution}`)
  },
  fileName: (applicant) => `admission-letter-${applicant.id}`,
})

export const erpDocuments = [feeReceipt, invoiceDocument, admissionLetter]
