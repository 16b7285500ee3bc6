import type { ComponentType } from 'preact'
import type { PageProps } from '../kit/plugins.js'
import { Home } from './home.js'

/**
 * The app's own pages by path pattern (kit/router.ts `match`); everything else
 * is `/<plugin>/<page>` of a plugin's UI module. Patterns here win.
 */
export const CORE_PAGES: Record<string, ComponentType<PageProps>> = {
  '/': Home,
}
