import vine from '@vinejs/vine'

/* Request bodies and queries of the collection view routes; fields are checked by config.ts (stable codes). */

export const VIEW_KINDS = ['list', 'board', 'calendar', 'gallery'] as const
export type ViewKind = (typeof VIEW_KINDS)[number]

const fieldName = () => vine.string().trim().minLength(1).maxLength(40)

const config = vine.object({
  /** list: the columns; board and gallery: the fields on a card; calendar: fields shown with each entry. */
  fields: vine.array(fieldName()).maxLength(60).optional(),
  /** The engine's sort: `-created_at,name`. */
  sort: vine.string().trim().minLength(1).maxLength(200).optional(),
  /** As in exports: `{ status: "open", due_on: { gte: "2026-01-01" }, club: { in: ["chess"] } }`. */
  filters: vine.record(vine.any()).optional(),
  /** board: the enum field whose values are the columns. */
  group_by: fieldName().optional(),
  /** calendar: the date or datetime field placing a record on a day. */
  date_field: fieldName().optional(),
  /** calendar and gallery: the field naming a record (default: the collection's title). */
  title_field: fieldName().optional(),
  /** gallery: a file field holding the picture (default: the first file field). */
  image_field: fieldName().optional(),
})

export const createViewValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(80),
    kind: vine.enum(VIEW_KINDS),
    config: config.optional(),
    position: vine.number().withoutDecimals().min(0).max(10_000).optional(),
  })
)

export const updateViewValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(80).optional(),
    kind: vine.enum(VIEW_KINDS).optional(),
    config: config.optional(),
    position: vine.number().withoutDecimals().min(0).max(10_000).optional(),
  })
)

export type ViewConfig = {
  fields?: string[]
  sort?: string
  filters?: Record<string, unknown>
  group_by?: string
  date_field?: string
  title_field?: string
  image_field?: string
}

/** What a reader may add to a view's own query (documentation of the records route; checked in service.ts). */
export const viewRecordsQuery = vine.compile(
  vine.object({
    page: vine.number().withoutDecimals().min(1).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
    cursor: vine.string().maxLength(2000).optional(),
    search: vine.string().maxLength(200).optional(),
    from: vine
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    to: vine
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
)
