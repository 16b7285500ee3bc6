/**
 * `@oryne/web`: what a plugin's UI module (ui/index.tsx, ui/messages.ts) may
 * use, the same the app's own pages use (docs/web.md, "A plugin's pages").
 */
export {
  api,
  call,
  download,
  urlOf,
  ApiError,
  type Answer,
  type Pagination,
  type Query,
} from './kit/api.js'
export { useApp, type App } from './kit/context.js'
export { useI18n, type I18n } from './kit/i18n.js'
export {
  definePluginUi,
  defineMessages,
  type PageProps,
  type WidgetProps,
  type PluginUiModule,
} from './kit/plugins.js'
export { navigate, useLocation, match, type Location } from './kit/router.js'
export { listen, useLive, type LiveEvent } from './kit/live.js'
export { Empty, Link, Loading, Notice, Page, Pager, Problem, useAction, useLoad } from './kit/ui.js'
