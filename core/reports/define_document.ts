import type { Principal } from '../rbac/authorize.js'
import type { Tenant } from '../tenancy/types.js'
import type { DocumentWriter } from './pdf_writer.js'
import type { TenantFormat } from './format.js'

/** What a document's loader gets: the record id, the record as the caller may see it, who asks. */
export type DocumentContext = {
  id: string
  /** The record of `resource`, already checked: the caller may read it (permission and row rules). */
  record: Record<string, unknown>
  principal: Principal
  tenant: Tenant
}

/**
 * A PDF document a plugin offers (`GET /api/v1/documents/<plugin>.<name>/<id>`):
 * a fee receipt, an invoice, a report card. Access follows the record the
 * document is about: whoever may read `resource` row `id` may have the
 * document, nobody else.
 */
export type DocumentDefinition<T = any> = {
  /** snake_case, unique within the plugin: the URL says `<plugin>.<name>`. */
  name: string
  /** Shown at the top of the document and in listings. */
  title: string
  description?: string
  /** `<plugin>.<resource>` whose record `id` names (its read permission and row rules apply). */
  resource: string
  /** A permission needed besides reading the record, if any. */
  permission?: string
  /** What the document shows, read in the tenant's context. */
  load(context: DocumentContext): Promise<T> | T
  /** Writes the pages; amounts and dates go through `format` (the tenant's locale, currency, time zone). */
  render(writer: DocumentWriter, data: T, format: TenantFormat): void | Promise<void>
  /** File name offered on download, without extension; default `<name>-<id>`. */
  fileName?(data: T): string
}

export function defineDocument<T>(definition: DocumentDefinition<T>): DocumentDefinition<T> {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name))
    throw new TypeError(`Document name "${definition.name}" must be snake_case`)
  return definition
}
