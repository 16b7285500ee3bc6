import type { ComponentType } from 'preact'
import { DATA_PAGES } from '../data/index.js'
import type { PageProps } from '../kit/plugins.js'
import { Calendar } from './calendar.js'
import { COLLECTION_PAGES } from './collections/index.js'
import { Home } from './home.js'
import { Notifications } from './notifications.js'
import { Profile } from './profile.js'

/**
 * The app's own pages by path pattern (kit/router.ts `match`); everything else
 * is `/<plugin>/<page>` of a plugin's UI module. Patterns here win.
 */
export const CORE_PAGES: Record<string, ComponentType<PageProps>> = {
  '/': Home,
  // Generated views of declared resources (web helper "records").
  ...DATA_PAGES,
  // Tenant collections (docs/collections.md).
  ...COLLECTION_PAGES,
  '/notifications': Notifications,
  '/calendar': Calendar,
  '/profile': Profile,
}
