import { defineResource, field } from '@oryne/sdk'

export const COPY_STATUSES = [
  'available',
  'on_loan',
  'on_hold',
  'lost',
  'damaged',
  'withdrawn',
] as const

/** Minor units of the tenant's currency. */
const money = () => field.integer({ min: 0, max: 100_000_000 })

/** The catalogue: titles and the physical copies of each. */
export const titles = defineResource({
  name: 'titles',
  description: 'A work the library holds, with its bibliographic data; copies are its items.',
  fields: {
    isbn: field.string({ unique: true, max: 17, pattern: /^(?:\d[\d-]{8,15}[\dX])$/ }),
    title: field.string({ required: true, max: 300, search: true }),
    authors: field.string({ max: 500, search: true }),
    subjects: field.string({ max: 500, search: true }),
    publisher: field.string({ max: 200 }),
    year: field.integer({ min: 1000, max: 2200 }),
    replacement_cost: money(),
  },
  defaultSort: 'title',
})

export const copies = defineResource({
  name: 'copies',
  description:
    'One physical item of a title, known by its barcode. Its status is kept by circulation; a reference-only copy is never issued.',
  fields: {
    title_id: field.reference('titles', { required: true, as: 'title' }),
    barcode: field.string({
      required: true,
      unique: true,
      max: 60,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    }),
    shelf_location: field.string({ max: 60 }),
    reference_only: field.boolean({ default: false }),
    status: field.enum(COPY_STATUSES, { default: 'available', readOnly: true }),
    replacement_cost: field.integer({
      min: 0,
      max: 100_000_000,
      description: "Charged when lost or damaged; the title's replacement cost when empty.",
    }),
    note: field.text({ max: 2000 }),
  },
  defaultSort: 'barcode',
})
