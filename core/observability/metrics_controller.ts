import type { HttpContext } from '@adonisjs/core/http'
import { registry } from './metrics.js'

export default class MetricsController {
  /** Prometheus text exposition of this process. */
  async show({ response }: HttpContext) {
    response.header('Content-Type', registry.contentType)
    response.send(await registry.metrics())
  }
}
