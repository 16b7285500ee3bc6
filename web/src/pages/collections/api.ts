import { api, call } from '../../kit/api.js'

/*
 * The collections API as the web app reads it (docs/collections.md). Admin
 * routes under /api/v1/admin/collections (core.collections.manage); readers'
 * views and signed-in forms under /api/v1/collections/:name; public forms
 * under /api/v1/public/forms (no account).
 */

export const FIELD_TYPES = [
  'string',
  'text',
  'integer',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'enum',
  'json',
  'reference',
  'file',
] as const

export type FieldType = (typeof FIELD_TYPES)[number]

/** One field of a definition (the contract's FieldSpec). */
export type FieldSpec = {
  type: FieldType
  label?: string
  description?: string
  required?: boolean
  unique?: boolean
  default?: string | number | boolean | null
  search?: boolean
  index?: boolean
  min?: number
  max?: number
  values?: string[]
  target?: string
  on_delete?: 'restrict' | 'cascade' | 'set null'
  personal?: true | 'subject'
}

export type Definition = {
  fields: Record<string, FieldSpec>
  title?: string
  owner?: { field: string; roles: string[] }
  privacy?: { erase: 'redact' | 'delete' }
}

export type Collection = {
  id: string | number
  name: string
  label: string
  description: string | null
  table_name?: string
  definition: Definition
  version: number
  created_at?: string
  updated_at?: string
}

export type ChangeOp =
  | { op: 'add_field'; name: string; field: FieldSpec }
  | { op: 'rename_field'; from: string; to: string }
  | { op: 'remove_field'; name: string }
  | { op: 'change_field'; name: string; field: FieldSpec }

export type PlanStep = {
  op: string
  field: string
  sql_kind: string
  destructive: boolean
  affected_rows: number
  problems: Array<{ code: string; message: string; rows?: number; blocking: boolean }>
  /** What the step does, in words. */
  description?: string
  sql?: string[]
}

/** The answer of POST .../changes: the plan, and whether it was applied. */
export type Plan = {
  steps: PlanStep[]
  destructive: boolean
  /** No blocking problem remains. */
  applicable?: boolean
  rows?: number
  applied?: boolean
  from_version?: number
  to_version?: number
  backup_table?: string | null
}

export type ViewKind = 'list' | 'board' | 'calendar' | 'gallery'

export type CollectionView = {
  id: string | number
  collection?: string
  name: string
  kind: ViewKind
  config: Record<string, any>
  position?: number
}

export type FormField = {
  name: string
  label?: string
  help?: string
  show_if?: { field: string; equals?: unknown; in?: unknown[] }
}

export type FormSection = { title?: string; fields: FormField[] }

export type CollectionForm = {
  id: string | number
  collection: string
  slug: string
  title: string
  description: string | null
  sections: FormSection[]
  public: boolean
  settings: Record<string, any>
}

export type Automation = {
  id: string | number
  collection: string
  name: string
  trigger: Record<string, any>
  action: Record<string, any>
  enabled: boolean
}

export type AutomationRun = {
  id: string | number
  automation_id: string | number
  record_id: string | null
  event: string
  status: string
  attempts: number
  error: string | null
  output?: unknown
  created_at: string
  finished_at: string | null
}

const ADMIN = '/api/v1/admin/collections'
const part = (name: string) => `${ADMIN}/${encodeURIComponent(name)}`

export const collectionsApi = {
  list: () => api<Collection[]>(ADMIN, { query: { per_page: 100 } }),
  show: (name: string) => api<Collection>(part(name)),
  create: (body: { name: string; label: string; description?: string; definition: Definition }) =>
    api<Collection>(ADMIN, { method: 'POST', body }),
  update: (name: string, body: { label?: string; description?: string | null }) =>
    api<Collection>(part(name), { method: 'PATCH', body }),
  remove: (name: string) => api(part(name), { method: 'DELETE', query: { confirm: name } }),

  changes: (name: string, body: { changes: ChangeOp[]; dry_run?: boolean; confirm?: boolean }) =>
    api<Plan>(`${part(name)}/changes`, { method: 'POST', body }),
  history: (name: string) => api<any[]>(`${part(name)}/changes`),

  views: (name: string) =>
    api<CollectionView[]>(`/api/v1/collections/${encodeURIComponent(name)}/views`),
  createView: (name: string, body: Omit<CollectionView, 'id'>) =>
    api<CollectionView>(`${part(name)}/views`, { method: 'POST', body }),
  removeView: (name: string, id: string | number) =>
    api(`${part(name)}/views/${id}`, { method: 'DELETE' }),
  viewRecords: (name: string, id: string | number, query: Record<string, string | number> = {}) =>
    call<any>(`/api/v1/collections/${encodeURIComponent(name)}/views/${id}/records`, { query }),

  forms: (name: string) => api<CollectionForm[]>(`${part(name)}/forms`),
  createForm: (name: string, body: Partial<CollectionForm>) =>
    api<CollectionForm>(`${part(name)}/forms`, { method: 'POST', body }),
  updateForm: (name: string, id: string | number, body: Partial<CollectionForm>) =>
    api<CollectionForm>(`${part(name)}/forms/${id}`, { method: 'PATCH', body }),
  removeForm: (name: string, id: string | number) =>
    api(`${part(name)}/forms/${id}`, { method: 'DELETE' }),

  automations: (name: string) => api<Automation[]>(`${part(name)}/automations`),
  createAutomation: (name: string, body: Omit<Automation, 'id' | 'collection'>) =>
    api<Automation & { secret?: string }>(`${part(name)}/automations`, { method: 'POST', body }),
  updateAutomation: (name: string, id: string | number, body: Partial<Automation>) =>
    api<Automation>(`${part(name)}/automations/${id}`, { method: 'PATCH', body }),
  removeAutomation: (name: string, id: string | number) =>
    api(`${part(name)}/automations/${id}`, { method: 'DELETE' }),
  runs: (name: string, id: string | number) =>
    api<AutomationRun[]>(`${part(name)}/automations/${id}/runs`),
  retry: (name: string, id: string | number, run: string | number) =>
    api<AutomationRun>(`${part(name)}/automations/${id}/runs/${run}/retry`, { method: 'POST' }),
}

/** The records route of a collection (the resource engine's, like a plugin resource's). */
export const recordsPath = (name: string) => `/api/v1/collections/${encodeURIComponent(name)}`

/** Field names as the definition orders them. */
export const fieldNames = (definition: Definition) => Object.keys(definition.fields ?? {})
