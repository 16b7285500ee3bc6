import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
// Route#describe (the OpenAPI description of a route).
import '../openapi/operations.js'
import { E_BAD_REQUEST } from '../errors.js'
import { calendarQuery } from './validators.js'
import { resourceViewsSchema } from './resource_views.js'

const WebController = () => import('./web_controller.js')
const AppContextController = () => import('./context_controller.js')
const AppCalendarController = () => import('./calendar_controller.js')
const AppResourcesController = () => import('./resources_controller.js')

const audience = { type: 'array', items: { type: 'string' } }

/**
 * The web app for everyone at school (docs/web.md): the built page at /app,
 * and the two API routes it needs besides the public API: who the user is and
 * what the enabled plugins offer them, and the resources its generated views
 * show them (resource_views.ts).
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
  router
    .get('/api/v1/app/resources', [AppResourcesController, 'index'])
    .use([middleware.tenant(), middleware.auth({ guard: 'tenant' })])
    .describe({
      summary: 'The resources the signed-in user may list, for the generated views',
      description:
        'Every resource of the enabled plugins the user may list: its fields (type, constraints, enum values, reference target and picker, sensitivity and whether this user sees the value, the filter operators and sorting the list accepts from them), label field, default sort, whether it is searchable, the create/update/delete actions the user may take, and the tenant’s custom fields of it. The web app builds its list, detail and form views from it (docs/web.md, "Generated views").',
      tags: ['Web app'],
      data: resourceViewsSchema,
    })
  router
    .get('/api/v1/app/calendar', [AppCalendarController, 'show'])
    .use([middleware.tenant(), middleware.auth({ guard: 'tenant' })])
    .describe({
      summary: 'Your calendar: every enabled plugin’s entries for you and the holidays',
      description:
        'Between two days of the tenant (inclusive, at most 62 days): the timetable, events, due dates and other entries the enabled plugins give the signed-in user (their `calendar` manifest key; each decides what the user may see), in start order, and the school’s holidays.',
      tags: ['Web app'],
      query: calendarQuery,
      errors: [E_BAD_REQUEST],
      data: {
        type: 'object',
        required: ['from', 'to', 'time_zone', 'entries', 'holidays'],
        properties: {
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          time_zone: { type: 'string' },
          entries: {
            type: 'array',
            items: {
              type: 'object',
              required: ['uid', 'title', 'starts_at', 'kind', 'source'],
              properties: {
                uid: { type: 'string' },
                title: { type: 'string' },
                starts_at: { type: 'string' },
                ends_at: { type: ['string', 'null'] },
                all_day: { type: 'boolean' },
                description: { type: ['string', 'null'] },
                kind: { type: 'string' },
                source: { type: 'string' },
              },
            },
          },
          holidays: {
            type: 'array',
            items: {
              type: 'object',
              required: ['date', 'title'],
              properties: { date: { type: 'string', format: 'date' }, title: { type: 'string' } },
            },
          },
        },
      },
    })
}
