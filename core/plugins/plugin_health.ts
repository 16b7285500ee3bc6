import db from '@adonisjs/lucid/services/db'
import type { CatalogEntry, UnavailablePlugin } from './catalog.js'

/*
 * Plugins this installation sees but cannot use (a manifest that does not
 * load or is invalid, a host range, a missing dependency), and which of them
 * tenants have enabled. Shared by the boot log, `GET /health/ready` and
 * `oryne doctor`: a plugin nobody enabled is a warning, one a tenant enabled
 * means that tenant's school is missing part of itself.
 */

export type PluginProblem = {
  name: string
  source: string
  reasons: string[]
  /** Slugs of the tenants that have it enabled. */
  enabled_for: string[]
}

export type PluginHealth = {
  problems: PluginProblem[]
  /** The problems tenants are affected by: not ready. */
  in_use: PluginProblem[]
}

/** The unavailable plugins of a catalog, sorted by name. */
export function unavailablePlugins(catalog: Iterable<CatalogEntry>): UnavailablePlugin[] {
  return [...catalog]
    .filter((entry): entry is UnavailablePlugin => !entry.available)
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** One line per unavailable plugin: `name (source): first reason`. */
export function describeProblem(problem: { name: string; source: string; reasons: string[] }) {
  return `${problem.name} (${problem.source}): ${problem.reasons[0]}`
}

/** The unavailable plugins of `catalog` with the tenants that enabled each (read from the platform DB). */
export async function pluginHealth(catalog: Iterable<CatalogEntry>): Promise<PluginHealth> {
  const unavailable = unavailablePlugins(catalog)
  if (!unavailable.length) return { problems: [], in_use: [] }
  const rows: Array<{ plugin: string; slug: string }> = await db
    .from('tenant_plugins')
    .join('tenants', 'tenants.id', 'tenant_plugins.tenant_id')
    .where('tenant_plugins.status', 'enabled')
    .whereIn(
      'tenant_plugins.plugin',
      unavailable.map((entry) => entry.name)
    )
    .orderBy('tenants.slug')
    .select('tenant_plugins.plugin', 'tenants.slug')
  const problems = unavailable.map((entry) => ({
    name: entry.name,
    source: entry.source,
    reasons: entry.reasons,
    enabled_for: rows.filter((row) => row.plugin === entry.name).map((row) => row.slug),
  }))
  return { problems, in_use: problems.filter((problem) => problem.enabled_for.length) }
}
