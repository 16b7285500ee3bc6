import semver from 'semver'
import type { PluginManifest } from './define_plugin.js'
import { settingsDefaultsProblems } from './settings.js'

export type PluginCandidate = {
  /** Where it was found: a folder of plugins/ or an npm package. */
  source: string
  /** The folder holding the manifest (a plugin's migrations, resources and snapshot live there). */
  directory?: string
  manifest?: unknown
  /** Set when the manifest could not even be loaded. */
  loadError?: string
  /** The name the plugin goes by when its manifest cannot say: its folder's or package's. */
  name?: string
}

export type AvailablePlugin = {
  available: true
  source: string
  directory?: string
  manifest: PluginManifest
}
export type UnavailablePlugin = {
  available: false
  source: string
  directory?: string
  name: string
  version?: string
  reasons: string[]
}
export type CatalogEntry = AvailablePlugin | UnavailablePlugin

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const PERMISSION = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/
const ROLES = new Set(['TenantAdmin', 'Teacher', 'Student', 'Parent', 'Staff'])
/** Names that would collide with core routes under /api/v1. */
const RESERVED = new Set([
  'admin',
  'auth',
  'core',
  'docs',
  'health',
  'metrics',
  'openapi',
  'platform',
  'tenant',
])

/** Why `name` cannot name a plugin, or null when it can. */
export function pluginNameProblem(name: string): string | null {
  if (!NAME.test(name)) return 'name: must be kebab-case (e.g. "library")'
  if (RESERVED.has(name)) return `name: "${name}" is reserved by the core API`
  return null
}

/** Problems of one manifest, each naming the field; empty when it is well-formed. */
function manifestProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object')
    return ['the manifest is not an object (export default definePlugin({...}))']
  const m = value as Record<string, any>
  const problems: string[] = []
  const nameProblem =
    typeof m.name === 'string'
      ? pluginNameProblem(m.name)
      : 'name: must be kebab-case (e.g. "library")'
  if (nameProblem) problems.push(nameProblem)
  if (typeof m.version !== 'string' || !semver.valid(m.version))
    problems.push(`version: "${m.version}" is not semver`)
  if (typeof m.host !== 'string' || !semver.validRange(m.host))
    problems.push(`host: "${m.host}" is not a semver range`)
  for (const [dependency, range] of Object.entries(m.dependencies ?? {})) {
    if (!NAME.test(dependency)) problems.push(`dependencies.${dependency}: not a plugin name`)
    if (typeof range !== 'string' || !semver.validRange(range)) {
      problems.push(`dependencies.${dependency}: "${range}" is not a semver range`)
    }
  }
  for (const permission of m.permissions ?? []) {
    if (
      typeof permission !== 'string' ||
      !PERMISSION.test(permission) ||
      !permission.startsWith(`${m.name}.`)
    ) {
      problems.push(`permissions: "${permission}" must look like ${m.name}.<resource>.<action>`)
    }
  }
  for (const [role, granted] of Object.entries(m.grants ?? {})) {
    if (!ROLES.has(role)) problems.push(`grants.${role}: not a built-in role`)
    for (const permission of (granted as string[]) ?? []) {
      if (typeof permission !== 'string' || !expandGrant(m, permission).length) {
        problems.push(`grants.${role}: "${permission}" is not one of this plugin's permissions`)
      }
    }
  }
  if (m.routes !== undefined && typeof m.routes !== 'function')
    problems.push('routes: must be a function')
  for (const hook of ['calendar', 'holidays'] as const) {
    if (m[hook] !== undefined && typeof m[hook] !== 'function')
      problems.push(`${hook}: must be a function`)
  }
  if (m.migrations !== undefined && !Array.isArray(m.migrations))
    problems.push('migrations: must be an array')
  if (Array.isArray(m.migrations)) {
    const seen = new Set<string>()
    m.migrations.forEach((migration: any, index: number) => {
      if (typeof migration?.name !== 'string' || typeof migration?.up !== 'function')
        problems.push(`migrations.${index}: not a migration (use defineTenantMigration)`)
      else if (seen.has(migration.name))
        problems.push(`migrations.${index}: "${migration.name}" is declared twice`)
      else seen.add(migration.name)
    })
  }
  return [...problems, ...extensionProblems(m)]
}

const JOB_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9_.-]*$/
const RESOURCE_NAME = /^[a-z][a-z0-9_]*$/
const CHANNELS = new Set(['email', 'in_app', 'push', 'sms'])

/** Problems of the fields beyond identity: resources, settings, jobs, events, templates, privacy. */
function extensionProblems(m: Record<string, any>): string[] {
  const problems: string[] = []
  if (m.resources !== undefined && !Array.isArray(m.resources))
    problems.push('resources: must be an array')
  const resourceNames = new Set<string>()
  for (const [index, resource] of (Array.isArray(m.resources) ? m.resources : []).entries()) {
    const name = resource?.name
    if (typeof name !== 'string' || !RESOURCE_NAME.test(name))
      problems.push(`resources.${index}.name: must be snake_case (e.g. "books")`)
    else if (resourceNames.has(name)) problems.push(`resources.${name}: declared twice`)
    else resourceNames.add(name)
    if (!resource?.fields || typeof resource.fields !== 'object')
      problems.push(`resources.${name ?? index}.fields: must be an object of field builders`)
  }
  if (m.settings !== undefined) {
    if (typeof m.settings?.schema?.getProperties !== 'function')
      problems.push('settings.schema: must be a VineJS object schema (vine.object({...}))')
    if (!m.settings?.defaults || typeof m.settings.defaults !== 'object')
      problems.push('settings.defaults: must be an object of default values')
  }
  if (m.events !== undefined) {
    if (!m.events || typeof m.events !== 'object') problems.push('events: must be an object')
    else
      for (const [event, handler] of Object.entries(m.events))
        if (typeof handler !== 'function') problems.push(`events.${event}: must be a function`)
  }
  if (m.jobs !== undefined && !Array.isArray(m.jobs)) problems.push('jobs: must be an array')
  for (const [index, job] of (Array.isArray(m.jobs) ? m.jobs : []).entries()) {
    if (typeof job?.handle !== 'function' || typeof job?.name !== 'string')
      problems.push(`jobs.${index}: not a job (use defineJob)`)
    else if (!JOB_NAME.test(job.name) || !job.name.startsWith(`${m.name}.`))
      problems.push(`jobs.${index}: "${job.name}" must look like ${m.name}.<job>`)
  }
  if (m.notifications !== undefined && (!m.notifications || typeof m.notifications !== 'object'))
    problems.push('notifications: must be an object of templates')
  for (const [key, template] of Object.entries(m.notifications ?? {}) as Array<[string, any]>) {
    if (typeof template?.body !== 'string')
      problems.push(`notifications.${key}.body: must be a string`)
    for (const channel of template?.channels ?? [])
      if (!CHANNELS.has(channel))
        problems.push(`notifications.${key}.channels: "${channel}" is not a channel`)
  }
  for (const hook of ['exportPersonalData', 'erasePersonalData'])
    if (m.privacy?.[hook] !== undefined && typeof m.privacy[hook] !== 'function')
      problems.push(`privacy.${hook}: must be a function`)
  return [...problems, ...commandProblems(m.commands), ...uiProblems(m.name, m.ui)]
}

const UI_ID = /^[a-z][a-z0-9_-]*$/

/** Problems of `ui`: entries with an id (once), a label or title, a path inside the app, audiences as lists. */
function uiProblems(plugin: string, ui: any): string[] {
  if (ui === undefined) return []
  if (!ui || typeof ui !== 'object') return ['ui: must be an object ({ nav, widgets })']
  const problems: string[] = []
  for (const key of ['nav', 'widgets'] as const) {
    if (ui[key] === undefined) continue
    if (!Array.isArray(ui[key])) {
      problems.push(`ui.${key}: must be an array`)
      continue
    }
    const ids = new Set<string>()
    ui[key].forEach((entry: any, index: number) => {
      const at = `ui.${key}.${typeof entry?.id === 'string' ? entry.id : index}`
      if (typeof entry?.id !== 'string' || !UI_ID.test(entry.id))
        return problems.push(`${at}.id: must be kebab-case or snake_case (e.g. "desk")`)
      if (ids.has(entry.id)) problems.push(`${at}: declared twice`)
      ids.add(entry.id)
      const text = key === 'nav' ? 'label' : 'title'
      if (typeof entry[text] !== 'string' || !entry[text].trim())
        problems.push(`${at}.${text}: must be a message key or text`)
      if (
        key === 'nav' &&
        (typeof entry.path !== 'string' ||
          !(entry.path.startsWith(`/${plugin}/`) || entry.path.startsWith(`/data/${plugin}/`)))
      )
        problems.push(`${at}.path: must start with /${plugin}/ or /data/${plugin}/`)
      for (const list of ['permissions', 'roles'])
        if (
          entry[list] !== undefined &&
          (!Array.isArray(entry[list]) ||
            entry[list].some((item: unknown) => typeof item !== 'string'))
        )
          problems.push(`${at}.${list}: must be an array of strings`)
    })
  }
  return problems
}

/** Problems of `commands`: each a verb (kebab-case, once), a description and functions. */
function commandProblems(commands: unknown): string[] {
  if (commands === undefined) return []
  if (!Array.isArray(commands))
    return ['commands: must be an array of commands (definePluginCommand)']
  const problems: string[] = []
  const verbs = new Set<string>()
  commands.forEach((command: any, index: number) => {
    const name = command?.name
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push(`commands.${index}.name: must be a kebab-case verb (e.g. "import")`)
      return
    }
    if (verbs.has(name)) problems.push(`commands.${name}: declared twice`)
    verbs.add(name)
    if (typeof command.description !== 'string' || !command.description.trim())
      problems.push(`commands.${name}.description: must be a text for --help`)
    if (typeof command.run !== 'function') problems.push(`commands.${name}.run: must be a function`)
    if (command.define !== undefined && typeof command.define !== 'function')
      problems.push(`commands.${name}.define: must be a function`)
    if (command.tenant !== undefined && typeof command.tenant !== 'boolean')
      problems.push(`commands.${name}.tenant: must be true or false`)
  })
  return problems
}

/**
 * Decides which discovered plugins can be used: a well-formed manifest, a host
 * range this Oryne satisfies, dependencies present in satisfying versions (and
 * themselves available), no cycles. The others are listed with the reasons,
 * each naming the plugin and the field; the host boots either way.
 */
export async function buildCatalog(
  candidates: PluginCandidate[],
  hostVersion: string
): Promise<Map<string, CatalogEntry>> {
  const entries = new Map<string, CatalogEntry>()
  for (const candidate of candidates) {
    const raw = candidate.manifest as Record<string, any> | undefined
    const name = typeof raw?.name === 'string' ? raw.name : (candidate.name ?? candidate.source)
    const problems = candidate.loadError
      ? [`could not be loaded: ${candidate.loadError}`]
      : manifestProblems(raw)
    if (!problems.length && raw!.settings)
      problems.push(...(await settingsDefaultsProblems(raw!.settings)))
    if (
      !problems.length &&
      !semver.satisfies(hostVersion, raw!.host, { includePrerelease: true })
    ) {
      problems.push(`host: needs Oryne ${raw!.host}, this is ${hostVersion}`)
    }
    if (entries.has(name))
      problems.push(`name: "${name}" is also provided by ${entries.get(name)!.source}`)
    entries.set(
      name,
      problems.length
        ? {
            available: false,
            source: candidate.source,
            directory: candidate.directory,
            name,
            version: raw?.version,
            reasons: problems,
          }
        : {
            available: true,
            source: candidate.source,
            directory: candidate.directory,
            manifest: raw as PluginManifest,
          }
    )
  }

  // Dependencies, repeated until stable: a plugin whose dependency became unavailable goes too.
  let changed = true
  while (changed) {
    changed = false
    for (const [name, entry] of entries) {
      if (!entry.available) continue
      const reasons: string[] = []
      for (const [dependency, range] of Object.entries(entry.manifest.dependencies ?? {})) {
        const target = entries.get(dependency)
        if (!target) reasons.push(`dependencies.${dependency}: not installed`)
        else if (!target.available)
          reasons.push(`dependencies.${dependency}: unavailable (${target.reasons[0]})`)
        else if (!semver.satisfies(target.manifest.version, range)) {
          reasons.push(
            `dependencies.${dependency}: needs ${range}, installed ${target.manifest.version}`
          )
        }
      }
      if (!reasons.length && dependsOn(entries, name, name, new Set())) {
        reasons.push('dependencies: cycle through this plugin')
      }
      if (reasons.length) {
        entries.set(name, {
          available: false,
          source: entry.source,
          directory: entry.directory,
          name,
          version: entry.manifest.version,
          reasons,
        })
        changed = true
      }
    }
  }
  return entries
}

function dependsOn(
  entries: Map<string, CatalogEntry>,
  from: string,
  target: string,
  seen: Set<string>
): boolean {
  const entry = entries.get(from)
  if (!entry?.available) return false
  for (const dependency of Object.keys(entry.manifest.dependencies ?? {})) {
    if (dependency === target) return true
    if (seen.has(dependency)) continue
    seen.add(dependency)
    if (dependsOn(entries, dependency, target, seen)) return true
  }
  return false
}

/** `names` and everything they depend on, dependencies first. */
export function withDependencies(entries: Map<string, CatalogEntry>, names: string[]): string[] {
  const ordered: string[] = []
  const visit = (name: string) => {
    if (ordered.includes(name)) return
    const entry = entries.get(name)
    if (entry?.available)
      for (const dependency of Object.keys(entry.manifest.dependencies ?? {})) visit(dependency)
    ordered.push(name)
  }
  names.forEach(visit)
  return ordered
}

/**
 * The permissions a grant stands for: itself, or for a wildcard (`<plugin>.*`,
 * `<plugin>.<resource>.*`) every permission of the plugin under that prefix.
 */
export function expandGrant(
  manifest: Pick<PluginManifest, 'permissions'>,
  grant: string
): string[] {
  const permissions = manifest.permissions ?? []
  if (!grant.endsWith('.*')) return permissions.includes(grant) ? [grant] : []
  const prefix = grant.slice(0, -1)
  return permissions.filter((permission) => permission.startsWith(prefix))
}
