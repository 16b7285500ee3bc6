import type { Router } from '@adonisjs/core/http'
import type { Command } from 'commander'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { VineObject } from '@vinejs/vine'
import type { EventHandler } from '../events/events.js'
import type { JobDefinition } from '../jobs/types.js'
import type { Actor, Tenant } from '../tenancy/types.js'
import type { ResourceDefinition } from '../resources/define_resource.js'
import type { TenantMigration } from '../tenancy/migrations/define_tenant_migration.js'
import type { DocumentDefinition } from '../reports/define_document.js'
import type { StatDefinition } from '../reports/define_stat.js'

/** Roles every tenant has; a plugin grants its permissions to them by default. */
export type BuiltinRole = 'TenantAdmin' | 'Teacher' | 'Student' | 'Parent' | 'Staff'

/**
 * Per-tenant settings: a VineJS object schema and the values a tenant has
 * until its admin sets others. Stored per tenant (only what was set); read
 * with `pluginSettings(name)` from the SDK, defaults applied.
 */
export type PluginSettingsDeclaration<T extends Record<string, unknown> = Record<string, unknown>> =
  {
    schema: VineObject<any, any, any, any>
    defaults: T
  }

/** A message the notification service can send on the plugin's behalf (declared now, sent later). */
export type NotificationTemplate = {
  /** Where it may go; the notification service picks among them per user preference. */
  channels?: Array<'email' | 'in_app' | 'push' | 'sms'>
  /** Subject line (email) or title (push, in-app); `{{name}}` placeholders. */
  subject?: string
  /** Body text with `{{name}}` placeholders. */
  body: string
  description?: string
  /** Sent whatever the user's preferences (security messages); nobody can switch it off. */
  mandatory?: boolean
}

/** What privacy hooks receive: the tenant transaction every plugin's hook runs in. */
export type PrivacyContext = { trx: TransactionClientContract; tenant: Tenant; plugin: string }

/**
 * How a plugin exports and erases one user's personal data (Moodle's privacy API
 * is the anchor). Core runs them across every plugin enabled for the tenant, so
 * one request covers every module. Erasure anonymises records that must stay.
 */
export type PrivacyHooks = {
  /** The user's personal data this plugin stores, as plain JSON. */
  exportPersonalData?: (userId: string, ctx: PrivacyContext) => unknown | Promise<unknown>
  /** Erases (or anonymises) it; returns a summary, e.g. `{ erased: 3, anonymised: 1 }`. */
  erasePersonalData?: (userId: string, ctx: PrivacyContext) => unknown | Promise<unknown>
}

/**
 * The one declaration of a plugin (plugins/<name>/plugin.ts, or the file an npm
 * package names in its package.json under "oryne": {"plugin": "..."}).
 * Everything is plain data or functions: a plugin needs no import from the host
 * at run time, so the same manifest works from this repository or from npm.
 * `migrations`, `resources`, `routes` and `commands`, when left out, are found
 * by convention next to the manifest: `migrations/NNNN_*.ts` (default exports,
 * in file order), `resources/*.ts` (every exported resource), `routes.ts` and
 * `commands.ts` (default exports).
 */
export type PluginManifest = {
  /** kebab-case, unique: also the URL prefix /api/v1/<name> and the permission prefix. */
  name: string
  /** semver of the plugin. */
  version: string
  /** semver range of Oryne versions this plugin works with, e.g. "^0.1.0". */
  host: string
  description?: string
  /** Other plugins it needs, with semver ranges: { erp: "^1.0.0" }. */
  dependencies?: Record<string, string>
  /** `<plugin>.<resource>.<action>`, e.g. "library.loans.create". */
  permissions?: string[]
  /** Default grants per built-in role: permissions (or `<plugin>.*`) seeded when the plugin is enabled. */
  grants?: Partial<Record<BuiltinRole, string[]>>
  /** Migrations of the tenant schema, in order (see defineTenantMigration). */
  migrations?: TenantMigration[]
  /** Routes, mounted under /api/v1/<name> and answered only for tenants that enabled the plugin. */
  routes?: (router: Router) => void
  /** Low-code resources: each gets its CRUD API under /api/v1/<name>/<resource> (see core/resources). */
  resources?: ResourceDefinition[]
  /** Event hooks: handlers by event name (`erp.students.created`), run only for tenants that enabled the plugin. */
  events?: Record<string, EventHandler>
  /** Per-tenant settings with their defaults. */
  settings?: PluginSettingsDeclaration
  /** Jobs (made with defineJob, named `<plugin>.<job>`), registered when the plugin loads. */
  jobs?: JobDefinition[]
  /** Notification templates by key, kept for the notification service. */
  notifications?: Record<string, NotificationTemplate>
  /** Export and erasure of a user's personal data. */
  privacy?: PrivacyHooks
  /**
   * Repeatable jobs run per tenant that enabled the plugin: scheduled when it is
   * enabled (and for every such tenant when a worker starts), removed when it is
   * disabled. The job runs in the tenant's context.
   */
  schedules?: PluginSchedule[]
  /** Fills a tenant with realistic sample data (`oryne tenant seed-demo`), dependencies' demo data first. */
  demo?: (trx: TransactionClientContract, context: DemoContext) => unknown | Promise<unknown>
  /** PDF documents rendered from the plugin's records (docs/reports.md), e.g. a fee receipt. */
  documents?: DocumentDefinition[]
  /** Dashboard statistics (docs/reports.md), cached per tenant and invalidated by events. */
  stats?: StatDefinition[]
  /**
   * The requesting user's dated entries this plugin contributes to calendars
   * (the events plugin's iCalendar feed merges every enabled plugin's). Runs in
   * the tenant's context; returns only that user's entries between `from` and `to`.
   */
  calendar?: (query: CalendarQuery) => CalendarEntry[] | Promise<CalendarEntry[]>
  /**
   * The institution's holidays between two dates (YYYY-MM-DD, inclusive) this
   * plugin knows of; other plugins ask core (`holidayOn`) without depending on it.
   */
  holidays?: (range: { from: string; to: string }) => Holiday[] | Promise<Holiday[]>
  /**
   * CLI commands, run as `oryne <plugin> <verb>` (see definePluginCommand).
   * Left out, the default export of `commands.ts` next to the manifest.
   */
  commands?: PluginCommand<boolean>[]
  /**
   * What the plugin adds to the web app at /app (docs/web.md): navigation
   * entries and home-page widgets, each shown to users holding its
   * permission. Their pages and widgets are the default export of `ui/index.tsx`
   * next to the manifest (definePluginUi from `@oryne/web`), bundled with the app.
   */
  ui?: PluginUi
}

/** Who sees a navigation entry or widget: any of `permissions`, and any of `roles` (when given). */
export type PluginUiAudience = {
  /** Shown when the user holds any of these (exact or covered by a wildcard grant). */
  permissions?: string[]
  /** Shown only to users holding one of these roles, e.g. ['Teacher']. */
  roles?: string[]
}

export type PluginUiNavEntry = PluginUiAudience & {
  /** Unique within the plugin. */
  id: string
  /** Message key in the plugin's catalogue (or plain text). */
  label: string
  /** Where it leads inside the app: `/<plugin>/<page>` (a page of ui/index.tsx) or `/data/<plugin>/<resource>`. */
  path: string
  /** `daily` (the people's work, first), `records` or `admin`. */
  section?: 'daily' | 'records' | 'admin'
  /** Lower first; 100 when left out. */
  order?: number
}

export type PluginUiWidget = PluginUiAudience & {
  /** Unique within the plugin: the key of the widget component in ui/index.tsx. */
  id: string
  /** Message key (or plain text) of the widget's heading. */
  title: string
  order?: number
}

export type PluginUi = {
  nav?: PluginUiNavEntry[]
  widgets?: PluginUiWidget[]
}

/**
 * What a plugin command runs with: the same runtime core commands get. Core
 * has booted the application, checked `--tenant` (it exists, is active or
 * suspended, and enabled the plugin) and runs `run` in that tenant's context.
 * A thrown error ends the command with exit code 1 and its error code (as
 * JSON with `--json`); `fail()` ends it with 1 after what it printed.
 */
export type PluginCommandContext<WithTenant extends boolean = true> = {
  /** The command's arguments, in the order `define` declared them. */
  args: string[]
  /** Its options, camelCased by commander (`--dry-run` -> `dryRun`); `json` and `tenant` included. */
  options: Record<string, any>
  tenant: WithTenant extends false ? null : Tenant
  /** `--json` was given: print one JSON document, nothing else. */
  json: boolean
  /** Who runs it, for audit entries and job payloads: `cli:<operating-system user>`. */
  actor: Actor
  /** With `--json`, `{ ok: true, ...data }`; otherwise `human()` (or one `key: value` line per field). */
  print(data: Record<string, unknown>, human?: () => void): void
  /** A table for people (cells printed as text; null and undefined as blanks). */
  table(head: string[], rows: Array<Array<string | number | null | undefined>>): void
  /** Text for people, as it is. */
  write(text: string): void
  /** Ends with exit code 1 without an error (e.g. a check that did not pass). */
  fail(): void
}

/**
 * One `oryne <plugin> <verb>` command. Core adds `--json` and, unless
 * `tenant` is false, a required `--tenant <slug>`; `define` adds the
 * command's own arguments and options on the commander command.
 */
export type PluginCommand<WithTenant extends boolean = true> = {
  /** The verb: kebab-case, unique within the plugin. */
  name: string
  description: string
  /** Whether it works on one tenant (the default). */
  tenant?: WithTenant
  /** Declares arguments and options: `(command) => command.argument('<kind>').option('--wait')`. */
  define?: (command: Command) => unknown
  run(context: PluginCommandContext<WithTenant>): unknown | Promise<unknown>
}

export function definePluginCommand<WithTenant extends boolean = true>(
  command: PluginCommand<WithTenant>
): PluginCommand<WithTenant> {
  return command
}

/** A day the institution is closed (no classes, no attendance), in the tenant's time zone. */
export type Holiday = { date: string; title: string }

/** Whose entries and which window (ISO 8601 instants) a calendar provider is asked for. */
export type CalendarQuery = { userId: string; from: string; to: string }

/** One dated item of a user's calendar; `uid` is stable across calls (e.g. `assignment-42`; core prefixes the plugin). */
export type CalendarEntry = {
  uid: string
  title: string
  starts_at: string
  ends_at?: string | null
  all_day?: boolean
  description?: string | null
  kind: string
}

/** A per-tenant repeatable job: a cron expression (in `tz`, UTC by default) or a fixed interval in ms. */
export type PluginSchedule = { job: JobDefinition; cron?: string; every?: number; tz?: string }

/** Users a demo seed links its records to, created by core before any plugin seeds. */
export type DemoPerson = { id: string; email: string }
export type DemoContext = {
  teachers: DemoPerson[]
  students: DemoPerson[]
  parents: DemoPerson[]
  /** Staff (bursar, registrar); left out by callers that seed no staff. */
  staff?: DemoPerson[]
}

export function definePlugin(manifest: PluginManifest): PluginManifest {
  return manifest
}
