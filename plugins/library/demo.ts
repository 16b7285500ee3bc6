import { insertRows, type DemoContext, type Trx } from '@oryne/sdk'
import { fromErp } from '../erp/index.js'

const DAY = 86_400_000

const TITLES = [
  [
    '9780141439518',
    'Pride and Prejudice',
    'Jane Austen',
    'Fiction; Classics',
    'Penguin Classics',
    2002,
  ],
  [
    '9780061120084',
    'To Kill a Mockingbird',
    'Harper Lee',
    'Fiction; Classics',
    'Harper Perennial',
    2006,
  ],
  [
    '9780553380163',
    'A Brief History of Time',
    'Stephen Hawking',
    'Science; Physics',
    'Bantam',
    1998,
  ],
  [
    '9780198526636',
    'The Selfish Gene',
    'Richard Dawkins',
    'Science; Biology',
    'Oxford University Press',
    1989,
  ],
  ['9780316769488', 'The Catcher in the Rye', 'J. D. Salinger', 'Fiction', 'Little, Brown', 1991],
  [
    '9780679783268',
    'Things Fall Apart',
    'Chinua Achebe',
    'Fiction; African literature',
    'Anchor',
    1994,
  ],
  [
    '9780393979503',
    'Calculus: Early Transcendentals',
    'James Stewart',
    'Mathematics',
    'Cengage',
    2015,
  ],
  [
    '9780192806871',
    'Oxford Dictionary of English',
    'Oxford Languages',
    'Reference; Language',
    'Oxford University Press',
    2010,
  ],
] as const

/**
 * The library of the demo school (after the ERP's): eight titles with two or
 * three copies each (the dictionary for reference only), a card rule for
 * students, and loans for the first demo students: one on time, one overdue,
 * one returned; the first student waits for a title that is all out.
 */
export async function seedLibraryDemo(trx: Trx, _people: DemoContext) {
  const titles = await insertRows(
    trx,
    'library_titles',
    TITLES.map(([isbn, title, authors, subjects, publisher, year]) => ({
      isbn,
      title,
      authors,
      subjects,
      publisher,
      year,
      replacement_cost: 2500,
    }))
  )
  const copies = await insertRows(
    trx,
    'library_copies',
    titles.flatMap((title, i) =>
      Array.from({ length: i === 0 ? 1 : 2 + (i % 2) }, (_, n) => ({
        title_id: title.id,
        barcode: `LIB-${String(i + 1).padStart(3, '0')}-${n + 1}`,
        shelf_location: `${String.fromCharCode(65 + i)}${n + 1}`,
        reference_only: TITLES[i][3].startsWith('Reference'),
        status: 'available',
      }))
    )
  )
  await insertRows(trx, 'library_card_rules', [
    {
      name: 'Students',
      role: 'Student',
      max_loans: 3,
      loan_days: 14,
      renewals_allowed: 2,
      fine_per_day: 10,
      fine_cap: 500,
    },
    {
      name: 'Teachers',
      role: 'Teacher',
      max_loans: 10,
      loan_days: 28,
      renewals_allowed: 4,
      fine_per_day: 0,
      fine_cap: 0,
    },
  ])
  const students = await fromErp(trx, 'students', 's')
    .whereNotNull('s.user_id')
    .orderBy('s.enrollment_no')
    .limit(3)
    .select('s.id')
  if (students.length < 3) return { titles: titles.length, copies: copies.length, loans: 0 }
  const members = await insertRows(
    trx,
    'library_members',
    students.map((student) => ({ kind: 'student', student_id: student.id }))
  )
  await trx.rawQuery(
    `UPDATE library_members SET card_no = 'M' || lpad(id::text, 6, '0') WHERE card_no IS NULL`
  )
  const now = Date.now()
  const date = (days: number) => new Date(now + days * DAY).toISOString().slice(0, 10)
  const loan = (
    copy: Record<string, any>,
    member: Record<string, any>,
    issuedDaysAgo: number,
    returned: boolean
  ) => ({
    copy_id: copy.id,
    title_id: copy.title_id,
    member_id: member.id,
    student_id: member.student_id,
    issued_at: new Date(now - issuedDaysAgo * DAY),
    due_on: date(14 - issuedDaysAgo),
    returned_at: returned ? new Date(now - (issuedDaysAgo - 10) * DAY) : null,
    renewals: 0,
    renewals_allowed: 2,
    fine_per_day: 10,
    fine_cap: 500,
    status: returned ? 'returned' : 'open',
  })
  // The only copy of title 1 is out, so the first student queues for it.
  const loans = await insertRows(trx, 'library_loans', [
    loan(copies[0], members[1], 3, false),
    loan(copies[1], members[0], 20, false),
    loan(copies[3], members[2], 30, true),
  ])
  await trx
    .from('library_copies')
    .whereIn('id', [copies[0].id, copies[1].id])
    .update({ status: 'on_loan' })
  await insertRows(trx, 'library_reservations', [
    {
      title_id: titles[0].id,
      member_id: members[0].id,
      student_id: members[0].student_id,
      status: 'waiting',
    },
  ])
  return { titles: titles.length, copies: copies.length, loans: loans.length }
}
