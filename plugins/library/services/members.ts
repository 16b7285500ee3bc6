import { E_BORROWER_REQUIRED, E_LIBRARY_NOT_FOUND, E_NOT_A_MEMBER } from '../errors.js'
import type { LibrarySettings } from '../settings.js'
import { type Principal, type Trx } from '@oryne/sdk'
import { erpRelation, findStudent, joinErp, standingTo, studentIdOfUser } from '../../erp/index.js'

export type Row = Record<string, any>

/** Who borrows: a library member, an ERP student or a staff account (exactly one). */
export type BorrowerInput = { member_id?: string; student_id?: string; user_id?: string }

/** The loan terms of a member. */
export type Card = {
  rule_id: string | null
  max_loans: number
  loan_days: number
  renewals_allowed: number
  fine_per_day: number
  fine_cap: number
}

/** Whether the principal works the desk: names any borrower (Staff, TenantAdmin, the platform). */
export function worksTheDesk(principal: Principal) {
  return principal.can('library.circulation.issue')
}

/**
 * The borrower a request is about. The desk names one; everybody else acts
 * for themselves: a Student for their own student record, a Parent for one of
 * their children (student_id), anyone else for their own staff account.
 * Someone a caller may not act for is "not found", never "forbidden".
 */
export async function borrowerFor(
  trx: Trx,
  principal: Principal,
  input: BorrowerInput
): Promise<BorrowerInput> {
  const named = (['member_id', 'student_id', 'user_id'] as const).filter((key) => input[key])
  if (worksTheDesk(principal)) {
    if (named.length !== 1) throw new E_BORROWER_REQUIRED()
    return { [named[0]]: input[named[0]] }
  }
  if (principal.kind !== 'user') throw new E_NOT_A_MEMBER()
  if (named.length > 1 || input.member_id || input.user_id) throw new E_BORROWER_REQUIRED()
  if (principal.roles.includes('Student')) {
    const own = await studentIdOfUser(trx, principal.id)
    if (!own) throw new E_NOT_A_MEMBER()
    if (input.student_id && input.student_id !== own)
      throw new E_LIBRARY_NOT_FOUND(['Student', input.student_id])
    return { student_id: own }
  }
  if (principal.roles.includes('Parent')) {
    if (!input.student_id) throw new E_BORROWER_REQUIRED()
    const { guardian } = await standingTo(trx, principal.id, input.student_id)
    if (!guardian) throw new E_LIBRARY_NOT_FOUND(['Student', input.student_id])
    return { student_id: input.student_id }
  }
  if (input.student_id) throw new E_LIBRARY_NOT_FOUND(['Student', input.student_id])
  return { user_id: principal.id }
}

/** Card rules read with their member's row (findMember with `card`), kept off the row itself. */
const cardRules = new WeakMap<Row, Row | null>()

/**
 * The card rule of the member `m` (its student `s` joined), as cardOf picks
 * it: a student's class rule, else the rule of role Student; a staff member's
 * rule of one of their roles, the oldest first.
 */
const CARD_RULE_JOIN = `LEFT JOIN LATERAL (
  SELECT row_to_json(c) AS rule FROM library_card_rules c
   WHERE CASE WHEN m.kind = 'student'
              THEN c.class_id = s.class_id OR (c.role = 'Student' AND c.class_id IS NULL)
              ELSE c.class_id IS NULL AND c.role IN (
                SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                 WHERE ur.user_id = m.user_id)
         END
   ORDER BY c.class_id IS NULL, c.id LIMIT 1) card ON true`

/**
 * A member row with what circulation needs of its student (their account and
 * class), in one statement; `lock` takes the member's row lock, `card` reads
 * the member's card rule in the same statement (cardOf then sends none).
 */
async function findMember(
  trx: Trx,
  column: 'id' | 'student_id' | 'user_id',
  value: string,
  options: { lock: boolean; card: boolean }
): Promise<Row | undefined> {
  const query = joinErp(trx.from('library_members as m'), 'students', 's', 'm.student_id', {
    left: true,
  })
    .where(`m.${column}`, value)
    .select('m.*', 's.user_id as student_user_id', 's.class_id')
  if (options.card) query.joinRaw(CARD_RULE_JOIN).select('card.rule as __card_rule')
  if (options.lock) query.forUpdate('m')
  const row: Row | undefined = await query.first()
  if (row && options.card) {
    const { __card_rule: rule, ...member } = row
    cardRules.set(member, rule ?? null)
    return member
  }
  return row
}

/**
 * The member row of a borrower, made on first use: every ERP student and every
 * staff account is a member without being enrolled by hand. A user linked to
 * an ERP student borrows as that student. With `lock`, the member's row lock
 * is held (it serialises the loan-limit count of one member).
 */
export async function memberOf(
  trx: Trx,
  borrower: BorrowerInput,
  options: { lock?: boolean; card?: boolean } = {}
): Promise<Row> {
  const found = { lock: options.lock ?? false, card: options.card ?? false }
  const named = (['member_id', 'student_id', 'user_id'] as const).filter((key) => borrower[key])
  if (named.length !== 1) throw new E_BORROWER_REQUIRED()
  if (borrower.member_id) {
    const member = await findMember(trx, 'id', borrower.member_id, found)
    if (!member) throw new E_LIBRARY_NOT_FOUND(['Member', borrower.member_id])
    return member
  }
  const column = borrower.student_id ? 'student_id' : 'user_id'
  const known = await findMember(trx, column, (borrower.student_id ?? borrower.user_id)!, found)
  if (known) return known

  const studentId = borrower.student_id
  if (borrower.user_id) {
    const user = await trx.from('users').where('id', borrower.user_id).select('id').first()
    if (!user) throw new E_LIBRARY_NOT_FOUND(['User', borrower.user_id])
    const student = await studentIdOfUser(trx, user.id)
    if (student) return memberOf(trx, { student_id: student }, options)
  }
  if (studentId) {
    const student = await findStudent(trx, studentId)
    if (!student) throw new E_LIBRARY_NOT_FOUND(['Student', studentId])
    await trx.rawQuery(
      `INSERT INTO library_members (kind, student_id) VALUES ('student', ?)
       ON CONFLICT (student_id) DO NOTHING`,
      [studentId]
    )
  } else {
    await trx.rawQuery(
      `INSERT INTO library_members (kind, user_id) VALUES ('staff', ?)
       ON CONFLICT (user_id) DO NOTHING`,
      [borrower.user_id!]
    )
  }
  await fillCardNo(trx, column, (studentId ?? borrower.user_id)!)
  return (await findMember(trx, column, (studentId ?? borrower.user_id)!, found))!
}

/** A new member's card number: M and its id on six digits, unless the library gave one. */
async function fillCardNo(trx: Trx, column: 'student_id' | 'user_id', value: string) {
  await trx.rawQuery(
    `UPDATE library_members SET card_no = 'M' || lpad(id::text, 6, '0')
      WHERE ${column} = ? AND card_no IS NULL`,
    [value]
  )
}

/**
 * Every ERP student and every account holding one of `staffRoles` becomes a
 * member (those who are one already are left as they are).
 */
export async function syncMembers(trx: Trx, staffRoles: string[]) {
  const students = await trx.rawQuery(
    `INSERT INTO library_members (kind, student_id)
     SELECT 'student', s.id FROM ${erpRelation('students', 's')}
      WHERE NOT EXISTS (SELECT 1 FROM library_members m WHERE m.student_id = s.id)
     ON CONFLICT DO NOTHING`
  )
  const staff = await trx.rawQuery(
    `INSERT INTO library_members (kind, user_id)
     SELECT DISTINCT 'staff', ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id
      WHERE r.name = ANY(?::text[])
        AND NOT EXISTS (SELECT 1 FROM ${erpRelation('students', 's')} WHERE s.user_id = ur.user_id)
        AND NOT EXISTS (SELECT 1 FROM library_members m WHERE m.user_id = ur.user_id)
     ON CONFLICT DO NOTHING`,
    [staffRoles]
  )
  await trx.rawQuery(
    `UPDATE library_members SET card_no = 'M' || lpad(id::text, 6, '0') WHERE card_no IS NULL`
  )
  return { students: students.rowCount ?? 0, staff: staff.rowCount ?? 0 }
}

/** The user who hears about a member's loans: the student's account or the staff account. */
export async function userOfMember(trx: Trx, member: Row): Promise<string | null> {
  if (member.user_id) return member.user_id
  if ('student_user_id' in member) return member.student_user_id ?? null
  const student = await findStudent(trx, String(member.student_id))
  return student?.user_id ?? null
}

function toCard(rule: Row | undefined, settings: LibrarySettings): Card {
  const source = rule ?? settings
  return {
    rule_id: rule ? String(rule.id) : null,
    max_loans: Number(source.max_loans),
    loan_days: Number(source.loan_days),
    renewals_allowed: Number(source.renewals_allowed),
    fine_per_day: Number(source.fine_per_day),
    fine_cap: Number(source.fine_cap),
  }
}

/**
 * The card rule of a member: a student's class rule, else the rule of role
 * Student; a staff member's rule of one of their roles (the oldest rule when
 * several match); else the library settings.
 */
export async function cardOf(trx: Trx, member: Row, settings: LibrarySettings): Promise<Card> {
  // Read with the member (memberOf with `card`): no statement of its own.
  if (cardRules.has(member)) return toCard(cardRules.get(member) ?? undefined, settings)
  if (member.kind === 'student') {
    const student =
      'class_id' in member ? member : await findStudent(trx, String(member.student_id))
    const classId = student?.class_id
    const rule = await trx
      .from('library_card_rules')
      .where((query) => {
        if (classId) query.where('class_id', classId)
        query.orWhere((role) => role.where('role', 'Student').whereNull('class_id'))
      })
      // A class rule first, then the role rule.
      .orderByRaw('class_id IS NULL, id')
      .first()
    return toCard(rule, settings)
  }
  const rule = await trx
    .from('library_card_rules as c')
    .whereNull('c.class_id')
    .whereIn('c.role', (roles) =>
      roles
        .from('user_roles as ur')
        .join('roles as r', 'r.id', 'ur.role_id')
        .where('ur.user_id', member.user_id)
        .select('r.name')
    )
    .orderBy('c.id')
    .select('c.*')
    .first()
  return toCard(rule, settings)
}
