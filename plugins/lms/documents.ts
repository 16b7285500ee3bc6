import { DateTime } from 'luxon'
import { gradebook } from './services/gradebook.js'
import { E_LMS_NOT_FOUND } from './errors.js'
import { findStudent } from '../erp/index.js'
import { defineDocument, OryneError, readTenantDb, type DocumentContext } from '@oryne/sdk'

/*
 * The LMS report card (GET /api/v1/documents/lms.report_card/<student id>):
 * the released final grade of each course a student is enrolled in. It is
 * about an ERP student, so it follows that record's access (a Parent gets
 * their own child's); each course's gradebook then applies its own.
 */

type Row = Record<string, any>

export const reportCard = defineDocument({
  name: 'report_card',
  title: 'Report card',
  description: "A student's final grade per course, released grades only.",
  resource: 'erp.students',
  permission: 'lms.gradebook.read',
  async load({ id, principal }: DocumentContext) {
    const { student, courses } = await readTenantDb(async (client, table) => ({
      student: await findStudent(client, id, table),
      courses: await client
        .from(table('lms_enrolments', 'e'))
        .join(table('lms_courses', 'k'), 'k.id', 'e.course_id')
        .where('e.student_id', id)
        .whereIn('e.status', ['active', 'completed'])
        .orderBy('k.code')
        .select('k.id', 'k.code', 'k.title', 'k.credits'),
    }))
    // The document route reads the student first (its `resource`); one deleted since is gone.
    if (!student) throw new E_LMS_NOT_FOUND(['Student', id])
    const lines: Row[] = []
    for (const course of courses) {
      try {
        const book = await gradebook(
          String(course.id),
          { student_id: id, released_only: true },
          principal
        )
        lines.push({ ...course, final_percent: book.students[0]?.final_percent ?? null })
      } catch (error) {
        // A course this caller may not look into is left off, as the gradebook would hide it.
        if (!(error instanceof OryneError)) throw error
      }
    }
    return { student, lines }
  },
  render(writer, { student, lines }, format) {
    writer.heading(writer.institution, 'Report card')
    writer.fields([
      ['Student', `${student.first_name} ${student.last_name}`],
      ['Enrollment no.', student.enrollment_no],
      ['Class', student.class_name ?? '-'],
      ['Date', format.date(DateTime.now().setZone(format.timeZone).toISODate())],
    ])
    writer.table(
      [
        { header: 'Code', width: 1 },
        { header: 'Course', width: 3 },
        { header: 'Credits', width: 1, align: 'right' },
        { header: 'Final grade', width: 1, align: 'right' },
      ],
      lines.map((line) => [
        line.code,
        line.title,
        line.credits === null || line.credits === undefined ? '' : format.number(line.credits),
        line.final_percent === null ? 'not graded' : `${format.number(line.final_percent, 2)} %`,
      ])
    )
    writer.footer('Only grades released by the teachers are counted.')
  },
  fileName: ({ student }) => `report-card-${student.enrollment_no}`,
})

export const lmsDocuments = [reportCard]
