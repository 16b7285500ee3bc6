import { E_ALREADY_ALLOCATED, E_HOSTEL_TYPE_MISMATCH } from '../errors.js'
import { type Row } from './support.js'
import { findStudent } from '../../erp/index.js'
import type { Trx } from '@oryne/sdk'
import { invalidField } from '@oryne/sdk'

/** Who lives in a bed: an ERP student or a staff user (exactly one of them). */
export type Resident = { student_id: string | null; user_id: string | null }

/** The resident named by a body, checked to exist (a student must be active). */
export async function findResident(
  trx: Trx,
  input: { student_id?: string | null; user_id?: string | null }
): Promise<Resident & { gender: string | null; label: string }> {
  if (!input.student_id === !input.user_id) {
    throw invalidField('student_id', 'oneOf', 'Name exactly one resident: student_id or user_id')
  }
  if (input.student_id) {
    const student = await findStudent(trx, input.student_id)
    if (!student) throw invalidField('student_id', 'reference', 'No such student')
    if (student.status !== 'active') {
      throw invalidField('student_id', 'active', `The student is ${student.status}`)
    }
    return {
      student_id: String(student.id),
      user_id: null,
      gender: student.gender,
      label: `Student ${student.id}`,
    }
  }
  const user = await trx.from('users').where('id', input.user_id!).select('id', 'status').first()
  if (!user || user.status === 'disabled') {
    throw invalidField('user_id', 'reference', 'No such active user')
  }
  return { student_id: null, user_id: user.id, gender: null, label: `User ${user.id}` }
}

/**
 * Boys and girls hostels take students (not of the other gender), staff
 * hostels staff only, mixed hostels anyone. A student whose gender is not
 * recorded may live in either.
 */
export function assertFits(
  hostel: { name: string; type: string },
  resident: Resident & { gender: string | null }
) {
  const refuse = (why: string) => new E_HOSTEL_TYPE_MISMATCH([hostel.name, hostel.type, why])
  if (hostel.type === 'mixed') return
  if (hostel.type === 'staff') {
    if (resident.student_id) throw refuse('it takes staff only')
    return
  }
  if (!resident.student_id) throw refuse('it takes students only')
  if (hostel.type === 'boys' && resident.gender === 'female') throw refuse('the student is female')
  if (hostel.type === 'girls' && resident.gender === 'male') throw refuse('the student is male')
}

/** The resident's active allocation, if any. */
export function activeAllocationOf(trx: Trx, resident: Resident): Promise<Row | null> {
  const query = trx.from('hostel_allocations').where('status', 'active')
  if (resident.student_id) query.where('student_id', resident.student_id)
  else query.where('user_id', resident.user_id!)
  return query.first()
}

export async function assertNotAllocated(
  trx: Trx,
  resident: Resident & { label: string }
): Promise<void> {
  const current = await activeAllocationOf(trx, resident)
  if (current) throw new E_ALREADY_ALLOCATED([resident.label, String(current.id)])
}
