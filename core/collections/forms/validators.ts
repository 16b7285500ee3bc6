import vine from '@vinejs/vine'

/* Request bodies of the collection form routes; fields are checked by design.ts (stable codes). */

export const FORM_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/

const formField = vine.object({
  name: vine.string().trim().minLength(1).maxLength(40),
  label: vine.string().trim().minLength(1).maxLength(120).optional(),
  help: vine.string().trim().maxLength(500).optional(),
  /** Required on this form even when the collection lets the field be empty. */
  required: vine.boolean().optional(),
  /** Shown only when an earlier field of the form has this value (`equals`) or one of these (`in`). */
  show_if: vine
    .object({
      field: vine.string().trim().minLength(1).maxLength(40),
      /** A text, number, boolean or null (checked against the field in design.ts). */
      equals: vine.any().nullable().optional(),
      in: vine.array(vine.any()).minLength(1).maxLength(50).optional(),
    })
    .optional(),
})

const section = vine.object({
  title: vine.string().trim().maxLength(120).optional(),
  description: vine.string().trim().maxLength(1000).optional(),
  fields: vine.array(formField).minLength(1).maxLength(60),
})

const settings = vine.object({
  /** Shown after a submission. */
  success_message: vine.string().trim().minLength(1).maxLength(500).optional(),
  /** false: the form answers ERR_FORM_CLOSED (409). */
  open: vine.boolean().optional(),
  /** The form closes after this many submissions (null: no limit). */
  max_submissions: vine.number().withoutDecimals().min(1).max(1_000_000).nullable().optional(),
  /** Public forms: seconds between opening the form and sending it, at least (default 3). */
  min_fill_seconds: vine.number().withoutDecimals().min(0).max(3600).optional(),
  /** Public forms: submissions per client address (default 10 per hour). */
  rate_limit: vine
    .object({
      requests: vine.number().withoutDecimals().min(1).max(10_000),
      per_seconds: vine.number().withoutDecimals().min(60).max(86_400),
    })
    .optional(),
})

export const createFormValidator = vine.compile(
  vine.object({
    slug: vine.string().trim().toLowerCase().regex(FORM_SLUG),
    title: vine.string().trim().minLength(1).maxLength(120),
    description: vine.string().trim().maxLength(2000).nullable().optional(),
    public: vine.boolean().optional(),
    sections: vine.array(section).minLength(1).maxLength(20),
    settings: settings.optional(),
  })
)

export const updateFormValidator = vine.compile(
  vine.object({
    slug: vine.string().trim().toLowerCase().regex(FORM_SLUG).optional(),
    title: vine.string().trim().minLength(1).maxLength(120).optional(),
    description: vine.string().trim().maxLength(2000).nullable().optional(),
    public: vine.boolean().optional(),
    sections: vine.array(section).minLength(1).maxLength(20).optional(),
    /** Merged into the form's settings, key by key. */
    settings: settings.optional(),
  })
)

/** A signed-in submission: the values of the form's fields. */
export const submissionValidator = vine.compile(
  vine.object({
    values: vine.record(vine.any().nullable()),
  })
)

/** A public submission: the values, the token of the opened form, and the honeypot left empty. */
export const publicSubmissionValidator = vine.compile(
  vine.object({
    values: vine.record(vine.any().nullable()),
    token: vine.string().maxLength(1000),
    /** The honeypot: hidden from people, filled only by automated senders. */
    website: vine.string().maxLength(1000).nullable().optional(),
  })
)

export type ShowIf = {
  field: string
  equals?: string | number | boolean | null
  in?: Array<string | number | boolean>
}
export type FormField = {
  name: string
  label?: string
  help?: string
  required?: boolean
  show_if?: ShowIf
}
export type FormSection = { title?: string; description?: string; fields: FormField[] }
export type FormSettings = {
  success_message?: string
  open?: boolean
  max_submissions?: number | null
  min_fill_seconds?: number
  rate_limit?: { requests: number; per_seconds: number }
}
