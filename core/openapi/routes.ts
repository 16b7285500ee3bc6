import type { Router } from '@adonisjs/core/http'

const DocsController = () => import('./docs_controller.js')

/** The OpenAPI 3.1 document and the HTML API reference rendering it (docs/api.md). */
export function docsRoutes(router: Router) {
  router.get('/api/v1/openapi.json', [DocsController, 'openapi'])
  router.get('/docs', [DocsController, 'show'])
  router.get('/docs/:file', [DocsController, 'asset'])
}
