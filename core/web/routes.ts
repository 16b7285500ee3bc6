import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
// Route#describe (the OpenAPI description of a route).
import '../openapi/operations.js'

const WebController = () => import('./web_controller.js')
const AppContextController = () => import('./context_controller.js')

const audience = { type: 'array', items: { type: 'string' } }

/**
 * The web app for everyone at school (docs/web.md): the built page at /app,
 * and the one API route it needs besides the public API: who the user is and
 * what the enabled plugins offer them.
 */
export function registerWebRoutes() {
  router.get('/app', [WebController, 'show']).as('web.index')
  router.get('/app/*', [WebController, 'show']).as('web.path')
  router
    .get('/api/v1/app/context', [AppContextController, 'show'])
    .use([middleware.tenant(), middleware.auth({ guard: 'tenant' })])
    .describe({
      summary: 'What the web app shows the signed-in user',
      description:
        'The user, the tenant’s locale, time zone and currency, the permissions the user holds, and the navigation entries and home-page widgets of the enabled plugins addressed to them (their `ui` manifest key).',
      tags: ['Web app'],
      data: {
        type: 'object',
        required: ['user', 'tenant', 'permissions', 'plugins', 'nav', 'widgets'],
        properties: {
          user: {
            type: 'object',
            required: ['id', 'email', 'name', 'roles'],
            properties: {
              id: { type: 'string', format: 'uuid' },
              email: { type: 'string' },
              name: { type: ['string', 'null'] },
              roles: audience,
            },
          },
          tenant: {
            type: 'object',
            required: ['slug', 'name', 'locale', 'time_zone', 'currency', 'week_start_day'],
            properties: {
              slug: { type: 'string' },
              name: { type: 'string' },
              locale: { type: 'string' },
              time_zone: { type: 'string' },
              currency: { type: 'string' },
              week_start_day: { type: 'integer' },
            },
          },
          permissions: audience,
          plugins: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'version'],
              properties: { name: { type: 'string' }, version: { type: 'string' } },
            },
          },
          nav: {
            type: 'array',
            items: {
              type: 'object',
              required: ['plugin', 'id', 'label', 'path', 'section', 'order'],
              properties: {
                plugin: { type: 'string' },
                id: { type: 'string' },
                label: { type: 'string' },
                path: { type: 'string' },
                section: { type: 'string', enum: ['daily', 'records', 'admin'] },
                order: { type: 'number' },
              },
            },
          },
          widgets: {
            type: 'array',
            items: {
              type: 'object',
              required: ['plugin', 'id', 'title', 'order'],
              properties: {
                plugin: { type: 'string' },
                id: { type: 'string' },
                title: { type: 'string' },
                order: { type: 'number' },
              },
            },
          },
        },
      },
    })
}
