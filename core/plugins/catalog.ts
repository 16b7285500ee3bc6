import semver from 'semver'
import type { PluginManifest } from './define_plugin.js'

export type PluginCandidate = {
  /** Where it was found: a folder of plugins/ or an npm package. */
  source: string
  manifest?: unknown
  /** Set when the manifest could not even be loaded. */
  loadError?: string
}

export type AvailablePlugin = { available: true; source: string; manifest: PluginManifest }
export type UnavailablePlugin = {
  available: false
  source: string
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

/** Problems of one manifest, each naming the field; empty when it is well-formed. */
function manifestProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object')
    return ['the manifest is not an object (export default definePlugin({...}))']
  const m = value as Record<string, any>
  const problems: string[] = []
  if (typeof m.name !== 'string' || !NAME.test(m.name))
    problems.push('name: must be kebab-case (e.g. "library")')
  else if (RESERVED.has(m.name)) problems.push(`name: "${m.name}" is reserved by the core API`)
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
      if (permission !== `${m.name}.*` && !(m.permissions ?? []).includes(permission)) {
        problems.push(`grants.${role}: "${permission}" is not one of this plugin's permissions`)
      }
    }
  }
  if (m.routes !== undefined && typeof m.routes !== 'function')
    problems.push('routes: must be a function')
  if (m.migrations !== undefined && !Array.isArray(m.migrations))
    problems.push('migrations: must be an array')
  return problems
}

/**
 * Decides which discovered plugins can be used: a well-formed manifest, a host
 * range this Oryne satisfies, dependencies present in satisfying versions (and
 * themselves available), no cycles. The others are listed with the reasons,
 * each naming the plugin and the field; the host boots either way.
 */
export function buildCatalog(
  candidates: PluginCandidate[],
  hostVersion: string
): Map<string, CatalogEntry> {
  const entries = new Map<string, CatalogEntry>()
  for (const candidate of candidates) {
    const raw = candidate.manifest as Record<string, any> | undefined
    const name = typeof raw?.name === 'string' ? raw.name : candidate.source
    const problems = candidate.loadError
      ? [`could not be loaded: ${candidate.loadError}`]
      : manifestProblems(raw)
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
            name,
            version: raw?.version,
            reasons: problems,
          }
        : { available: true, source: candidate.source, manifest: raw as PluginManifest }
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
