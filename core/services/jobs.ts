import app from '@adonisjs/core/services/app'
import type { JobsService } from '../jobs/jobs_service.js'

let jobs: JobsService

await app.booted(async () => {
  jobs = await app.container.make('oryne.jobs')
})

export { jobs as default }
