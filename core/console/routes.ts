import router from '@adonisjs/core/services/router'

const ConsoleController = () => import('./console_controller.js')

/** The admin console (docs/console.md): a client of the public API, served from this origin. */
export function registerConsoleRoutes() {
  router.get('/console', [ConsoleController, 'show']).as('console.index')
  router.get('/console/*', [ConsoleController, 'show']).as('console.path')
}
