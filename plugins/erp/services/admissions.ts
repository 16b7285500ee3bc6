import { E_ERP_NOT_FOUND, E_INVALID_TRANSITION, E_SEATS_FULL } from '../errors.js'
import { formatNumber, nextNumbers } from './counters.js'
import { emitEvent, recordAudit, tenantToday, tenantUsers, withTenantDb } from '@oryne/sdk'

type Row = Record<string, any>

/** Where an applicant may go from each status (enrolment has its own route). */
export const APPLICANT_TRANSITIONS: Record<string, string[]> = {
  draft: ['submitted'],
  submitted: ['under_review'],
  under_review: ['accepted', 'rejected', 'waitlisted'],
  waitlisted: ['accepted', 'rejected'],
  accepted: ['enrolled'],
  rejected: [],
  enrolled: [],
}

async function lockApplicant(trx: any, id: string): Promise<Row> {
  const applicant = await trx.from('erp_applicants').where('id', id).forUpdate().first()
  if (!applicant) throw new E_ERP_NOT_FOUND(['Applicant', id])
  return applicant
}

/** Moves an applicant along its workflow; an invalid move is 409 ERR_ERP_INVALID_TRANSITION. */
export async function transitionApplicant(
  id: string,
  to: string,
  note: string | null,
  actor: string,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const applicant = await lockApplicant(trx, id)
    if (to === 'enrolled' || !APPLICANT_TRANSITIONS[applicant.status]?.includes(to)) {
      throw new E_INVALID_TRANSITION([`applicant ${id}`, applicant.status, to])
    }
    const [updated] = await trx
      .from('erp_applicants')
      .where('id', id)
      .update({
        status: to,
        decision_note: note ?? applicant.decision_note,
        updated_at: new Date(),
      })
      .returning('*')
    await recordAudit(trx, {
      actor,
      action: 'erp.applicants.transition',
      subject: `erp.applicants:${id}`,
      data: { before: { status: applicant.status }, after: { status: to } },
      request_id: requestId,
    })
    await emitEvent(`erp.applicant.${to}`, { applicant_id: String(id) }, actor)
    return updated
  })
}

export type EnrolInput = {
  enrollment_no?: string
  section_id?: string | number | null
  /** Creates (or links) a Student user with this email. */
  student_email?: string | null
}

/**
 * Enrols an accepted applicant in one transaction: takes a seat of the
 * campaign (the campaign row is locked, so concurrent enrolments queue and a
 * full campaign refuses with ERR_ERP_SEATS_FULL), creates the student, the
 * student's user when an email is given, the guardian's Parent user (or
 * links the existing one) and the guardian link.
 */
export async function enrolApplicant(
  id: string,
  input: EnrolInput,
  actor: string,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const applicant = await lockApplicant(trx, id)
    if (applicant.status !== 'accepted') {
      throw new E_INVALID_TRANSITION([`applicant ${id}`, applicant.status, 'enrolled'])
    }
    const campaign = await trx
      .from('erp_admission_campaigns')
      .where('id', applicant.campaign_id)
      .forUpdate()
      .first()
    if (Number(campaign.enrolled) >= Number(campaign.seats)) {
      throw new E_SEATS_FULL([campaign.name, campaign.enrolled, campaign.seats])
    }
    let enrollmentNo = input.enrollment_no
    if (!enrollmentNo) {
      const [next] = await nextNumbers(trx, 'enrollment')
      enrollmentNo = formatNumber(`ENR-${tenantToday().slice(0, 4)}`, next, 5)
    }

    const studentUser = input.student_email
      ? await findOrInvite(
          input.student_email,
          `${applicant.first_name} ${applicant.last_name}`,
          'Student'
        )
      : null
    const [student] = await trx
      .insertQuery()
      .table('erp_students')
      .insert({
        enrollment_no: enrollmentNo,
        first_name: applicant.first_name,
        last_name: applicant.last_name,
        date_of_birth: applicant.date_of_birth,
        gender: applicant.gender,
        class_id: campaign.class_id,
        section_id: input.section_id ?? null,
        user_id: studentUser?.id ?? null,
        status: 'active',
        contact_phone: applicant.guardian_phone,
        admitted_on: tenantToday(),
      })
      .returning('*')
    const parent = await findOrInvite(applicant.guardian_email, applicant.guardian_name, 'Parent')
    await trx.insertQuery().table('erp_guardians').insert({
      student_id: student.id,
      user_id: parent.id,
      name: applicant.guardian_name,
      email: applicant.guardian_email,
      phone: applicant.guardian_phone,
      relation: 'guardian',
      primary: true,
    })
    await trx
      .from('erp_admission_campaigns')
      .where('id', campaign.id)
      .update({ enrolled: Number(campaign.enrolled) + 1, updated_at: new Date() })
    await trx
      .from('erp_applicants')
      .where('id', id)
      .update({ status: 'enrolled', student_id: student.id, updated_at: new Date() })
    await recordAudit(trx, {
      actor,
      action: 'erp.applicants.enrol',
      subject: `erp.applicants:${id}`,
      data: { student_id: String(student.id), enrollment_no: enrollmentNo },
      request_id: requestId,
    })
    await emitEvent(
      'erp.students.created',
      { id: String(student.id), enrollment_no: enrollmentNo },
      actor
    )
    return {
      student,
      guardian_user_id: parent.id,
      student_user_id: studentUser?.id ?? null,
      invites: [parent.inviteToken, studentUser?.inviteToken].filter(Boolean).length,
    }
  })
}

/** The tenant user with this email, or a new invited one with `role` (in the open tenant transaction). */
function findOrInvite(email: string, name: string, role: string) {
  return tenantUsers.findOrInvite({ email, name, role })
}
