import { E_TIMETABLE_CLASH } from '../errors.js'
import { holidayOn, isoDate, readTenantDb, type Trx } from '@oryne/sdk'

type Row = Record<string, any>

/** Serialises timetable writes of a tenant, so the clash check cannot race. */
async function lockTimetable(trx: Trx) {
  await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtext('erp:timetable'))`)
}

/**
 * A slot clashes when, on the same weekday and period, its teacher, room or
 * section is already booked by another slot. The error names each clash.
 */
async function assertNoClash(trx: Trx, slot: Row, exceptId?: unknown) {
  await lockTimetable(trx)
  const query = trx
    .from('erp_timetable_slots as t')
    .leftJoin('erp_teachers as teacher', 'teacher.id', 't.teacher_id')
    .leftJoin('erp_rooms as room', 'room.id', 't.room_id')
    .leftJoin('erp_sections as section', 'section.id', 't.section_id')
    .where('t.weekday', slot.weekday)
    .where('t.period_id', slot.period_id)
    .where((q) => {
      q.where('t.teacher_id', slot.teacher_id).orWhere('t.section_id', slot.section_id)
      if (slot.room_id) q.orWhere('t.room_id', slot.room_id)
    })
    .select(
      't.id',
      't.teacher_id',
      't.room_id',
      't.section_id',
      'teacher.name as teacher',
      'room.name as room',
      'section.name as section'
    )
  if (exceptId !== undefined) query.whereNot('t.id', exceptId as any)
  const taken = await query
  if (!taken.length) return
  const clashes: string[] = []
  for (const other of taken) {
    if (String(other.teacher_id) === String(slot.teacher_id))
      clashes.push(`teacher ${other.teacher} already teaches in this period (slot ${other.id})`)
    if (slot.room_id && String(other.room_id) === String(slot.room_id))
      clashes.push(`room ${other.room} is already booked in this period (slot ${other.id})`)
    if (String(other.section_id) === String(slot.section_id))
      clashes.push(`section ${other.section} already has a class in this period (slot ${other.id})`)
  }
  throw new E_TIMETABLE_CLASH([clashes.join('; ')], {
    details: taken.map((other) => ({ slot_id: String(other.id) })),
  })
}

export const slotHooks = {
  async beforeCreate(data: Row, { trx }: { trx: Trx }) {
    await assertNoClash(trx, data)
  },
  async beforeUpdate(changes: Row, before: Row, { trx }: { trx: Trx }) {
    await assertNoClash(trx, { ...before, ...changes }, before.id)
  },
}

/** A substitute must be free: not teaching a slot of that weekday and period, nor substituting elsewhere. */
export const substitutionHooks = {
  async beforeCreate(data: Row, { trx }: { trx: Trx }) {
    await lockTimetable(trx)
    const slot = await trx.from('erp_timetable_slots').where('id', data.slot_id).first()
    if (!slot) return
    const weekday = ((new Date(`${isoDate(data.date)}T00:00:00Z`).getUTCDay() + 6) % 7) + 1
    if (weekday !== Number(slot.weekday)) {
      throw new E_TIMETABLE_CLASH([
        `slot ${slot.id} is on weekday ${slot.weekday}, ${isoDate(data.date)} is weekday ${weekday}`,
      ])
    }
    const busy = await trx
      .from('erp_timetable_slots')
      .where({ weekday: slot.weekday, period_id: slot.period_id, teacher_id: data.teacher_id })
      .first()
    if (busy)
      throw new E_TIMETABLE_CLASH([`the substitute already teaches slot ${busy.id} in this period`])
    const already = await trx
      .from('erp_substitutions as s')
      .join('erp_timetable_slots as t', 't.id', 's.slot_id')
      .where('s.date', data.date)
      .where('s.teacher_id', data.teacher_id)
      .where('t.period_id', slot.period_id)
      .first()
    if (already)
      throw new E_TIMETABLE_CLASH([
        `the substitute already covers another slot in this period on ${isoDate(data.date)}`,
      ])
  },
}

/** ISO weekday (1 = Monday ... 7 = Sunday) of a YYYY-MM-DD date. */
export function weekdayOf(date: string) {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1
}

/**
 * What a section (or a teacher) has on one date: the weekly slots of that
 * weekday with the day's substitutions applied, in period order. On a holiday
 * (declared by any plugin, asked through core) the day carries the holiday and
 * no classes.
 */
export async function dayTimetable(
  date: string,
  who: { section_id?: string; teacher_id?: string }
) {
  const weekday = weekdayOf(date)
  const holiday = await holidayOn(date)
  if (holiday) return { date, weekday, holiday, slots: [] }
  const slots = await readTenantDb((client, table) => {
    const query = client
      .from(table('erp_timetable_slots', 't'))
      .join(table('erp_periods', 'p'), 'p.id', 't.period_id')
      .leftJoin(table('erp_substitutions', 's'), (join) => {
        join.on('s.slot_id', 't.id').andOnVal('s.date', date)
      })
      .where('t.weekday', weekday)
      .orderBy('p.position')
      .select(
        't.id as slot_id',
        't.section_id',
        't.subject_id',
        't.room_id',
        't.teacher_id as timetabled_teacher_id',
        client.raw('coalesce(s.teacher_id, t.teacher_id) AS teacher_id'),
        's.id as substitution_id',
        'p.name as period',
        'p.starts_at',
        'p.ends_at'
      )
    if (who.section_id) query.where('t.section_id', who.section_id)
    if (who.teacher_id)
      query.where((q) =>
        q
          .where((own) => own.where('t.teacher_id', who.teacher_id!).whereNull('s.id'))
          .orWhere('s.teacher_id', who.teacher_id!)
      )
    return query
  })
  return {
    date,
    weekday,
    holiday: null,
    slots: slots.map((slot: Row) =>
      Object.fromEntries(
        Object.entries(slot).map(([key, value]) => [
          key,
          key.endsWith('_id') && value !== null ? String(value) : value,
        ])
      )
    ),
  }
}
