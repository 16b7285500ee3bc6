import type { ComponentType } from 'preact'
import { addCatalogues } from '../kit/i18n.js'
import type { PageProps } from '../kit/plugins.js'
import { DataDetail } from './detail_page.js'
import { DataCreate, DataEdit } from './form_page.js'
import { DataIndex } from './index_page.js'
import { DataList } from './list_page.js'
import messages from './messages.js'
import './data.css'

/*
 * Generated views (docs/web.md, "Generated views"): list, detail and forms of
 * every declared resource, from GET /api/v1/app/resources, with no UI code in
 * the plugin. `new` comes before `:id` (patterns are tried in this order).
 */
addCatalogues(messages)

export const DATA_PAGES: Record<string, ComponentType<PageProps>> = {
  '/data': DataIndex,
  '/data/:plugin/:resource': DataList,
  '/data/:plugin/:resource/new': DataCreate,
  '/data/:plugin/:resource/:id': DataDetail,
  '/data/:plugin/:resource/:id/edit': DataEdit,
}
