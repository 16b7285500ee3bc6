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
/** An invoice as GET /api/v1/erp/fees/invoices answers it: `fine` and `balance` as of today, counted by the server. */
export type Invoice = {
  id: string
  number: string
  student_id: string
  due_on: string
  amount: number
  discount: number
  fine: number
  paid: number
  refunded: number
  balance: number
  status: 'open' | 'partially_paid' | 'paid' | 'cancelled'
  payable_online: boolean
  /** How the last online payment attempt ended; `expired`: it can be paid again. */
  online_session: 'open' | 'completed' | 'expired' | null
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
