/*
 * An export's list query, from its JSON body to the query string the list
 * endpoint takes (`filter[status][eq]=active&sort=-created_at`). Only the
 * shape is handled here: the engine parses and checks every field, operator
 * and value, exactly as for the list route.
 */

export type ListInput = {
  /** `{ status: "active" }` (eq) or `{ admitted_on: { gte: "2026-01-01" }, class_id: { in: [1, 2] } }`. */
  filters?: Record<string, unknown>
  sort?: string
  search?: string
  fields?: string[] | string
}

function text(value: unknown) {
  if (Array.isArray(value)) return value.map((item) => String(item)).join(',')
  if (value === null) return 'null'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

export function listQueryString(input: ListInput): string {
  const params = new URLSearchParams()
  for (const [field, condition] of Object.entries(input.filters ?? {})) {
    if (condition && typeof condition === 'object' && !Array.isArray(condition)) {
      for (const [op, value] of Object.entries(condition as Record<string, unknown>))
        params.append(`filter[${field}][${op}]`, text(value))
    } else params.append(`filter[${field}]`, text(condition))
  }
  if (input.sort !== undefined) params.append('sort', input.sort)
  if (input.search !== undefined) params.append('search', input.search)
  if (input.fields !== undefined) params.append('fields', text(input.fields))
  return params.toString()
}

/** The query string with `extra` parameters added (per_page, cursor). */
export function withParams(query: string, extra: Record<string, string>) {
  const params = new URLSearchParams(query)
  for (const [key, value] of Object.entries(extra)) params.set(key, value)
  return params.toString()
}
