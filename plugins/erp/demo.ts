import { DateTime } from 'luxon'
import { createInvoices } from './services/fees.js'
import { formatNumber, nextNumbers } from './services/counters.js'
import { insertRows, seededRandom, tenantToday, type DemoContext, type Trx } from '@oryne/sdk'

const FIRST = [
  'Amara',
  'Ben',
  'Chen',
  'Dara',
  'Elif',
  'Femi',
  'Gita',
  'Hugo',
  'Ines',
  'Jonah',
  'Kemi',
  'Liam',
  'Maya',
  'Noor',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tariq',
  'Uma',
  'Vera',
  'Wen',
  'Yusuf',
  'Zara',
]
const LAST = [
  'Okafor',
  'Silva',
  'Nakamura',
  'Haddad',
  'Kowalski',
  'Mensah',
  'Iyer',
  'Moreau',
  'Novak',
  'Adeyemi',
  'Larsen',
  'Costa',
  'Rahman',
  'Fischer',
  'Ortiz',
]
const SUBJECTS = [
  ['MATH', 'Mathematics'],
  ['ENG', 'English'],
  ['SCI', 'Science'],
  ['HIST', 'History'],
  ['GEO', 'Geography'],
  ['ART', 'Art'],
  ['PE', 'Physical Education'],
  ['CS', 'Computing'],
]

/**
 * A realistic small school: one academic year with two terms, 10 classes of
 * two sections, 15 teachers, 200 students with guardians, a weekly timetable,
 * the current term's fees (invoiced, mostly paid) and attendance so far.
 * `people` are tenant users created by the caller (Teacher, Student, Parent).
 */
export async function seedErpDemo(trx: Trx, people: DemoContext) {
  const rand = seededRandom(7)
  const today = DateTime.fromISO(tenantToday())
  const yearStart = DateTime.fromObject({
    year: today.month >= 8 ? today.year : today.year - 1,
    month: 8,
    day: 1,
  })
  const [year] = await insertRows(trx, 'erp_academic_years', [
    {
      name: `${yearStart.year}-${String(yearStart.year + 1).slice(2)}`,
      starts_on: yearStart.toISODate(),
      ends_on: yearStart.plus({ months: 11 }).minus({ days: 1 }).toISODate(),
      current: true,
    },
  ])
  const terms = await insertRows(trx, 'erp_terms', [
    {
      academic_year_id: year.id,
      name: 'Term 1',
      starts_on: yearStart.toISODate(),
      ends_on: yearStart.plus({ months: 5 }).minus({ days: 1 }).toISODate(),
    },
    {
      academic_year_id: year.id,
      name: 'Term 2',
      starts_on: yearStart.plus({ months: 5 }).toISODate(),
      ends_on: yearStart.plus({ months: 11 }).minus({ days: 1 }).toISODate(),
    },
  ])
  const term = terms.find((t) => DateTime.fromISO(t.ends_on) >= today) ?? terms[1]
  const classes = await insertRows(
    trx,
    'erp_classes',
    Array.from({ length: 10 }, (_, i) => ({ name: `Grade ${i + 1}`, grade_level: i + 1 }))
  )
  const teachers = await insertRows(
    trx,
    'erp_teachers',
    Array.from({ length: 15 }, (_, i) => ({
      employee_no: formatNumber('EMP', i + 1, 4),
      name: `${FIRST[(i * 7) % FIRST.length]} ${LAST[(i * 3) % LAST.length]}`,
      user_id: people.teachers[i]?.id ?? null,
      email: people.teachers[i]?.email ?? null,
      status: 'active',
    }))
  )
  const sections = await insertRows(
    trx,
    'erp_sections',
    classes.flatMap((klass, i) =>
      ['A', 'B'].map((name, j) => ({
        class_id: klass.id,
        name,
        capacity: 30,
        class_teacher_id: teachers[(i * 2 + j) % teachers.length].id,
      }))
    )
  )
  const subjects = await insertRows(
    trx,
    'erp_subjects',
    SUBJECTS.map(([code, name]) => ({ code, name }))
  )
  const rooms = await insertRows(
    trx,
    'erp_rooms',
    Array.from({ length: 12 }, (_, i) => ({ name: `Room ${101 + i}`, capacity: 35 }))
  )
  const periods = await insertRows(
    trx,
    'erp_periods',
    Array.from({ length: 6 }, (_, i) => ({
      name: `Period ${i + 1}`,
      position: i + 1,
      starts_at: `${String(8 + i).padStart(2, '0')}:00`,
      ends_at: `${String(8 + i).padStart(2, '0')}:50`,
    }))
  )

  // 200 students, 10 per section; the first ones get the Student users, their guardians the Parent users.
  const enrolment = await nextNumbers(trx, 'enrollment', 200)
  const students = await insertRows(
    trx,
    'erp_students',
    Array.from({ length: 200 }, (_, i) => {
      const section = sections[i % sections.length]
      return {
        enrollment_no: formatNumber(`ENR-${yearStart.year}`, enrolment[i], 5),
        first_name: FIRST[i % FIRST.length],
        last_name: LAST[Math.floor(i / FIRST.length) % LAST.length],
        date_of_birth: yearStart
          .minus({
            years: 6 + Number(section.name === 'B') + Math.floor((i % 20) / 2),
            days: Math.floor(rand() * 300),
          })
          .toISODate(),
        gender: rand() < 0.5 ? 'female' : 'male',
        class_id: section.class_id,
        section_id: section.id,
        user_id: people.students[i]?.id ?? null,
        status: 'active',
        contact_phone: `+1 555 01${String(i).padStart(3, '0')}`,
        admitted_on: yearStart.toISODate(),
      }
    })
  )
  await insertRows(
    trx,
    'erp_guardians',
    students.map((student, i) => ({
      student_id: student.id,
      user_id: people.parents[i]?.id ?? null,
      name: `${i % 2 ? 'Mr' : 'Ms'} ${student.last_name}`,
      relation: i % 2 ? 'father' : 'mother',
      email: people.parents[i]?.email ?? `guardian${i + 1}@example.org`,
      phone: `+1 555 02${String(i).padStart(3, '0')}`,
      primary: true,
    }))
  )

  // Timetable: in every weekday and period, 15 sections have a teacher (each teacher once), in rooms while they last.
  const slots: Record<string, unknown>[] = []
  for (let weekday = 1; weekday <= 5; weekday++) {
    for (const [p, period] of periods.entries()) {
      for (const [t, teacher] of teachers.entries()) {
        const section = sections[(t + p * 3 + weekday * 5) % sections.length]
        slots.push({
          weekday,
          period_id: period.id,
          section_id: section.id,
          teacher_id: teacher.id,
          room_id: t < rooms.length ? rooms[t].id : null,
          subject_id: subjects[(t + p) % subjects.length].id,
        })
      }
    }
  }
  // Sections can come round twice in one period: keep the first booking of each.
  const seen = new Set<string>()
  await insertRows(
    trx,
    'erp_timetable_slots',
    slots.filter((slot) => {
      const key = `${slot.weekday}:${slot.period_id}:${slot.section_id}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
  )

  // Fees for the current term: tuition and activities per class, invoiced to every student; most have paid.
  const categories = await insertRows(trx, 'erp_fee_categories', [
    { name: 'Tuition' },
    { name: 'Activities' },
    { name: 'Library' },
  ])
  const structures = await insertRows(
    trx,
    'erp_fee_structures',
    classes.map((klass) => ({
      name: `${klass.name} ${term.name}`,
      class_id: klass.id,
      term_id: term.id,
    }))
  )
  await insertRows(
    trx,
    'erp_fee_components',
    structures.flatMap((structure, i) => [
      { structure_id: structure.id, category_id: categories[0].id, amount: 120000 + i * 5000 },
      { structure_id: structure.id, category_id: categories[1].id, amount: 15000 },
    ])
  )
  const issued = DateTime.fromISO(term.starts_on)
  const schedules = await insertRows(
    trx,
    'erp_fee_schedules',
    structures.map((structure) => ({
      structure_id: structure.id,
      name: `${structure.name} fees`,
      issued_on: issued.toISODate(),
      due_on: issued.plus({ days: 30 }).toISODate(),
      late_fine_per_day: 100,
      late_fine_cap: 5000,
      status: 'generated',
    }))
  )
  const invoices = await createInvoices(
    trx,
    students.map((student) => {
      const index = classes.findIndex((klass) => String(klass.id) === String(student.class_id))
      return {
        student_id: student.id,
        schedule_id: schedules[index].id,
        issued_on: issued.toISODate()!,
        due_on: issued.plus({ days: 30 }).toISODate()!,
        late_fine_per_day: 100,
        late_fine_cap: 5000,
        lines: [
          { description: 'Tuition', category_id: categories[0].id, amount: 120000 + index * 5000 },
          { description: 'Activities', category_id: categories[1].id, amount: 15000 },
        ],
      }
    })
  )
  for (const schedule of schedules) {
    await trx.from('erp_fee_schedules').where('id', schedule.id).update({ invoices_generated: 20 })
  }
  const paying = invoices.filter(() => rand() < 0.6)
  const receipts = await nextNumbers(trx, 'receipt', paying.length)
  await insertRows(
    trx,
    'erp_payments',
    paying.map((invoice, i) => ({
      invoice_id: invoice.id,
      student_id: invoice.student_id,
      amount: invoice.amount,
      method: i % 3 ? 'bank_transfer' : 'cash',
      receipt_no: formatNumber('RCT', receipts[i]),
      paid_on: issued.plus({ days: 5 + (i % 20) }).toISODate(),
      refunded: 0,
    }))
  )
  if (paying.length) {
    await trx
      .from('erp_invoices')
      .whereIn(
        'id',
        paying.map((invoice) => invoice.id)
      )
      .update({ paid: trx.raw('amount'), status: 'paid' })
  }

  // Attendance: every school day of the term so far (at most 60), mostly present.
  const days: string[] = []
  for (let day = issued; day < today && days.length < 60; day = day.plus({ days: 1 })) {
    if (day.weekday <= 5) days.push(day.toISODate()!)
  }
  const marks = days.flatMap((date) =>
    students.map((student, i) => {
      const roll = rand()
      // A handful of students are often absent, so the below-threshold report has something to show.
      const absentRate = i % 40 === 0 ? 0.35 : 0.05
      return {
        student_id: student.id,
        date,
        session: 'day',
        status: roll < absentRate ? 'absent' : roll < absentRate + 0.04 ? 'late' : 'present',
      }
    })
  )
  await insertRows(trx, 'erp_attendance_marks', marks)

  return { classes, sections, students, teachers, subjects, term, year }
}
