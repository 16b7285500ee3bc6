import app from '@adonisjs/core/services/app'
import { E_FORBIDDEN } from '../errors.js'
import type { PluginManifest } from '../plugins/define_plugin.js'
import type { Principal } from '../rbac/authorize.js'
import { tenantContext } from '../tenancy/context.js'
import type { DocumentDefinition } from './define_document.js'
import { resourceEngine } from './engine.js'
import { E_DOCUMENT_UNKNOWN } from './errors.js'
import { tenantFormat } from './format.js'
import { renderPdf } from './pdf_writer.js'

/*
 * PDF documents of the plugins a tenant enabled, rendered on request. The
 * caller must be able to read the record the document is about, through the
 * resource engine (its permission, row rules): a parent gets their child's
 * report card and nobody else's.
 */

type Found = { plugin: PluginManifest; document: DocumentDefinition }

async function enabledDocuments(): Promise<Found[]> {
  const host = await app.container.make('oryne.plugins')
  const manifests = await host.enabledManifests(tenantContext.require().id)
  return manifests.flatMap((plugin) =>
    (plugin.documents ?? []).map((document) => ({ plugin, document }))
  )
}

async function documentNamed(key: string): Promise<Found> {
  const documents = await enabledDocuments()
  const found = documents.find(({ plugin, document }) => `${plugin.name}.${document.name}` === key)
  if (!found) throw new E_DOCUMENT_UNKNOWN([key.slice(0, 120)])
  return found
}

/** The documents of the tenant's modules the caller may ask for (by permission; records are checked per request). */
export async function listDocuments(principal: Principal) {
  const { catalog } = await resourceEngine()
  const documents = await enabledDocuments()
  return documents
    .filter(({ document }) => {
      const model = catalog.get(document.resource)
      const read = model?.permissions.read
      return (
        read !== false &&
        principal.can(read ?? `${document.resource}.read`) &&
        (!document.permission || principal.can(document.permission))
      )
    })
    .map(({ plugin, document }) => ({
      key: `${plugin.name}.${document.name}`,
      title: document.title,
      description: document.description ?? null,
      resource: document.resource,
    }))
}

/** Renders `<plugin>.<document>` for record `id`, as `principal` may see it. */
export async function renderDocument(key: string, id: string, principal: Principal) {
  const { document } = await documentNamed(key)
  const { catalog, service } = await resourceEngine()
  const model = catalog.get(document.resource)
  if (!model) throw new E_DOCUMENT_UNKNOWN([key])
  if (document.permission && !principal.can(document.permission))
    throw new E_FORBIDDEN([`this needs the ${document.permission} permission`])
  // The engine's detail read: permission, row rules and existence, with its errors.
  const record = await service.show(model, principal, id)
  const tenant = tenantContext.require()
  const data = await document.load({ id, record, principal, tenant })
  const format = tenantFormat(tenant)
  const bytes = await renderPdf({ title: document.title, author: tenant.name }, (writer) =>
    document.render(writer, data, format)
  )
  const name = (document.fileName?.(data) ?? `${document.name}-${id}`).replace(/[^\w.-]+/g, '_')
  return { bytes, fileName: `${name}.pdf` }
}
