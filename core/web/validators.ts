import vine from '@vinejs/vine'

const day = () => vine.string().regex(/^\d{4}-\d{2}-\d{2}$/)

/** GET /api/v1/app/calendar: the first and last day (YYYY-MM-DD, tenant-local, inclusive). */
export const calendarQuery = vine.compile(vine.object({ from: day(), to: day() }))
