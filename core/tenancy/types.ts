import type { TenantStatus } from './lifecycle.js'
import type { TenantSettings } from './settings.js'

export type Tenant = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  plan: string
  paid_until: Date | null
  /** PostgreSQL schema holding the tenant's data; derived from the id, never from input. */
  schema_name: string
  settings: TenantSettings
  /** Progress and last error of provisioning: {step, error, attempts, method, duration_ms}. */
  provisioning: ProvisioningState
  admin_email: string | null
  billing_warned_at: Date | null
  created_at: Date
  updated_at: Date
}

export type ProvisioningState = {
  step?: string
  error?: string
  attempts?: number
  method?: 'template' | 'clone' | 'replay'
  duration_ms?: number
  finished_at?: string
  /** Plugins asked for at creation, enabled once the tenant is active. */
  plugins?: string[]
}

export type TenantHistoryEntry = {
  id: string
  event: string
  from_status: string | null
  to_status: string | null
  actor: string
  reason: string | null
  data: unknown
  created_at: Date
}

/** Who did something: `platform:<token|user id>`, `cli:<os user>`, `system:<job>`. */
export type Actor = string

export type CreateTenantInput = {
  slug: string
  name: string
  plan?: string
  adminEmail?: string | null
  settings?: Partial<TenantSettings>
  /** Plugins to enable once the tenant is active. */
  plugins?: string[]
}
