import type { ComponentType } from 'preact'
import { addCatalogues } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { AutomationRuns, CollectionAutomations } from './automations_page.js'
import { CollectionDesign } from './design_page.js'
import { CollectionFormFill } from './fill_page.js'
import { CollectionFormBuilder, CollectionForms } from './forms_page.js'
import { CollectionBuilder, CollectionsList } from './list_page.js'
import messages from './messages.js'
import { CollectionRecords } from './records_page.js'
import './collections.css'

/*
 * Tenant collections in the web app (docs/collections.md): the admin's list
 * and builder, a collection's design (schema changes with a dry run), its
 * records through saved views, its forms and automations. Records are created
 * and edited by the generated views (/data/collections/:name). `new` comes
 * before `:name` (patterns are tried in this order). The public form page is
 * outside the signed-in app (app.tsx, public_form.tsx).
 */
addCatalogues(messages)

export const COLLECTION_PAGES: Record<string, ComponentType<PageProps>> = {
  '/collections': CollectionsList,
  '/collections/new': CollectionBuilder,
  '/collections/:name': CollectionDesign,
  '/collections/:name/records': CollectionRecords,
  '/collections/:name/forms': CollectionForms,
  '/collections/:name/forms/new': CollectionFormBuilder,
  '/collections/:name/forms/:id': CollectionFormBuilder,
  '/collections/:name/fill/:slug': CollectionFormFill,
  '/collections/:name/automations': CollectionAutomations,
  '/collections/:name/automations/:id': AutomationRuns,
}

/** The public form's address inside /app: `/forms/<slug>` (no account needed). */
export const PUBLIC_FORM = '/forms/:slug'
