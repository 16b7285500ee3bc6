import { myTimetable } from './services/my_timetable.js'
import { E_ERP_NOT_FOUND } from './errors.js'
import {
  authorize,
  E_FORBIDDEN,
  respond,
  tenantToday,
  vine,
  vineId,
  type OperationDoc,
  type Router,
} from '@oryne/sdk'

/*
 * Routes the web app's ERP pages need beyond the resources (docs/web.md,
 * "ERP pages"): answers about the signed-in user, never about someone else.
 */

const mineQuery = vine.compile(
  vine.object({
    from: vine
      .date({ formats: ['YYYY-MM-DD'] })
      .transform((d) => d.toISOString().slice(0, 10))
      .optional(),
    days: vine.number().withoutDecimals().min(1).max(7).optional(),
    student_id: vineId().optional(),
  })
)

const slot: NonNullable<OperationDoc['data']> = {
  type: 'object',
  required: ['slot_id', 'period', 'starts_at', 'ends_at', 'section_id', 'section', 'subject'],
  properties: {
    slot_id: { type: 'string' },
    period: { type: 'string' },
    starts_at: { type: 'string' },
    ends_at: { type: 'string' },
    section_id: { type: 'string' },
    section: { type: ['string', 'null'] },
    subject: { type: ['string', 'null'] },
    room: { type: ['string', 'null'] },
    teacher: { type: ['string', 'null'] },
    substitution: { type: 'boolean' },
  },
}

export function erpAppRoutes(router: Router) {
  router
    .get('/timetable/mine', async (ctx) => {
      const principal = await authorize(ctx, 'erp.timetable_slots.read')
      if (principal.kind !== 'user') throw new E_FORBIDDEN(['a timetable is a person’s'])
      const query = await mineQuery.validate(ctx.request.qs())
      respond(
        ctx,
        await myTimetable(
          principal.id,
          query.from ?? tenantToday(),
          query.days ?? 1,
          query.student_id
        )
      )
    })
    .describe({
      summary: 'The signed-in user’s timetable, one date or a week',
      description:
        'A teacher’s own classes (substitutions they cover included, those they hand over left out), a student’s section’s; with `student_id`, that student’s section’s for the student or their guardian (anyone else: 404). `as` is null and `days` empty for anyone else. From `from` (default: today in the school’s time zone) for `days` dates (1 to 7); a holiday carries the holiday and no classes.',
      query: mineQuery,
      data: {
        type: 'object',
        required: ['as', 'days'],
        properties: {
          as: { type: ['string', 'null'], enum: ['teacher', 'student', null] },
          days: {
            type: 'array',
            items: {
              type: 'object',
              required: ['date', 'weekday', 'holiday', 'slots'],
              properties: {
                date: { type: 'string', format: 'date' },
                weekday: { type: 'integer' },
                holiday: { type: ['object', 'null'] },
                slots: { type: 'array', items: slot },
              },
            },
          },
        },
      },
      errors: [E_FORBIDDEN, E_ERP_NOT_FOUND],
    })
}
