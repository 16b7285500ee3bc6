import type { CatalogEntry } from './catalog.js'

/** An installed plugin as the platform API and `oryne plugin list --json` show it. */
export function serializeCatalogEntry(entry: CatalogEntry) {
  if (!entry.available) {
    return {
      name: entry.name,
      version: entry.version ?? null,
      available: false,
      source: entry.source,
      reasons: entry.reasons,
    }
  }
  const { manifest } = entry
  return {
    name: manifest.name,
    version: manifest.version,
    available: true,
    source: entry.source,
    description: manifest.description ?? null,
    host: manifest.host,
    dependencies: manifest.dependencies ?? {},
    permissions: manifest.permissions ?? [],
  }
}
