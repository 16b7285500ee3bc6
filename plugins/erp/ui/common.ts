import type { I18n } from '@oryne/web'

/* What the ERP pages read from the API, and small date and money helpers. */

export type Slot = {
  slot_id: string
  period: string
  starts_at: string
  ends_at: string
  section_id: string
  section: string | null
  subject: string | null
  room: string | null
  teacher: string | null
  substitution: boolean
}
export type Day = {
  date: string
  weekday: number
  holiday: { name?: string; title?: string } | null
  slots: Slot[]
}
export type MyTimetable = { as: 'teacher' | 'student' | null; days: Day[] }

export type Student = {
  id: string
  enrollment_no: string
  first_name: string
  last_name: string
  section_id: string | null
}
export type Invoice = {
  id: string
  number: string
  student_id: string
  due_on: string
  amount: number
  discount: number | null
  fine: number | null
  paid: number | null
  refunded: number | null
  late_fine_per_day: number | null
  late_fine_cap: number | null
  status: 'open' | 'partially_paid' | 'paid' | 'cancelled'
}
export type AttendanceStatus = 'present' | 'absent' | 'late' | 'excused'
export type Summary = {
  student_id: string
  present: number
  absent: number
  late: number
  excused: number
  percent: number | null
}

export const nameOf = (student: Pick<Student, 'first_name' | 'last_name'>) =>
  `${student.first_name} ${student.last_name}`

/**
 * The late fine of an invoice on `today`: the one charged, else the one the
 * next payment will charge (per day late, up to the cap; as services/fees.ts counts it).
 */
export function fineOf(invoice: Invoice, today: string) {
  if (invoice.fine) return invoice.fine
  const perDay = invoice.late_fine_per_day ?? 0
  const late = Math.round(
    (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${invoice.due_on}T00:00:00Z`)) / 86_400_000
  )
  if (!perDay || late <= 0 || invoice.status === 'paid') return 0
  return invoice.late_fine_cap ? Math.min(late * perDay, invoice.late_fine_cap) : late * perDay
}

/** What is left to pay on an invoice on `today`, the late fine included. */
export const balanceOf = (invoice: Invoice, today: string) =>
  invoice.status === 'cancelled'
    ? 0
    : invoice.amount -
      (invoice.discount ?? 0) +
      fineOf(invoice, today) -
      (invoice.paid ?? 0) +
      (invoice.refunded ?? 0)

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number) {
  const at = new Date(`${date}T00:00:00Z`)
  at.setUTCDate(at.getUTCDate() + days)
  return at.toISOString().slice(0, 10)
}

/** The Monday of the week of `date`. */
export function mondayOf(date: string) {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7
  return addDays(date, -weekday)
}

export function percent(i18n: I18n, value: number | null) {
  if (value === null) return '—'
  return new Intl.NumberFormat(i18n.locale, { style: 'percent', maximumFractionDigits: 1 }).format(
    value / 100
  )
}

/** Minor units of the tenant's currency in one major unit (100 for cents). */
export function minorPerMajor(i18n: I18n) {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency: i18n.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  return 10 ** digits
}
