import { DateTime } from 'luxon'
import { defineStat, readTenantDb, tenantContext, tenantZone } from '@oryne/sdk'

/*
 * ERP figures of the dashboard (GET /api/v1/dashboard), cached per tenant and
 * dropped by the events of the records they count. Attendance marked in bulk
 * and invoices billed by other plugins emit no per-record event: those reach
 * the figures when the cache entry expires.
 */

const count = (value: unknown) => Number(value ?? 0)

export const enrolmentsStat = defineStat({
  name: 'enrolments',
  label: 'Students by status',
  permission: 'erp.reports.read',
  invalidatedBy: ['erp.students.*', 'erp.applicant.enrolled'],
  async compute() {
    const rows = await readTenantDb((client, table) =>
      client.from(table('erp_students')).groupBy('status').select('status').count('* as n')
    )
    const byStatus: Record<string, number> = { active: 0, inactive: 0, graduated: 0, withdrawn: 0 }
    for (const row of rows) byStatus[row.status as string] = count(row.n)
    return { ...byStatus, total: Object.values(byStatus).reduce((sum, n) => sum + n, 0) }
  },
})

/** Days of attendance the rate looks back over, ending today in the tenant's time zone. */
const ATTENDANCE_DAYS = 30

export const attendanceRateStat = defineStat({
  name: 'attendance_rate',
  label: `Attendance rate, last ${ATTENDANCE_DAYS} days`,
  description: 'Present and late marks over all marks, in percent.',
  permission: ['erp.reports.read', 'erp.attendance_marks.create'],
  invalidatedBy: ['erp.attendance_marks.*'],
  async compute() {
    const zone = tenantZone()
    const today = DateTime.now().setZone(zone)
    const from = today.minus({ days: ATTENDANCE_DAYS - 1 }).toISODate()
    const [row] = await readTenantDb((client, table) =>
      client
        .from(table('erp_attendance_marks'))
        .whereBetween('date', [from!, today.toISODate()!])
        .select(
          client.raw(`count(*) FILTER (WHERE status IN ('present', 'late')) AS attended`),
          client.raw('count(*) AS marks')
        )
    )
    const marks = count(row.marks)
    return {
      rate: marks ? Number(((count(row.attended) * 100) / marks).toFixed(1)) : null,
      marks,
      from: from!,
    }
  },
})

export const feeCollectionStat = defineStat({
  name: 'fee_collection',
  label: 'Fee collection',
  description: 'Billed, collected and outstanding, in minor units of the tenant currency.',
  permission: 'erp.reports.read',
  invalidatedBy: [
    'erp.payments.*',
    'erp.refunds.*',
    'erp.invoices.*',
    'erp.invoice.credited',
    'erp.fee_schedule.generated',
  ],
  async compute() {
    const [row] = await readTenantDb((client, table) =>
      client
        .from(table('erp_invoices'))
        .whereNot('status', 'cancelled')
        .select(
          client.raw('coalesce(sum(amount - discount + fine), 0)::bigint AS billed'),
          client.raw('coalesce(sum(paid - refunded), 0)::bigint AS collected'),
          client.raw(`count(*) FILTER (WHERE status <> 'paid') AS open_invoices`)
        )
    )
    const billed = count(row.billed)
    const collected = count(row.collected)
    return {
      billed,
      collected,
      outstanding: billed - collected,
      open_invoices: count(row.open_invoices),
      currency: tenantContext.require().settings.currency,
    }
  },
})

export const erpStats = [enrolmentsStat, attendanceRateStat, feeCollectionStat]
