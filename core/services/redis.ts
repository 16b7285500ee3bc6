import app from '@adonisjs/core/services/app'
import type { RedisConnections } from '../redis/connections.js'

let redis: RedisConnections

await app.booted(async () => {
  redis = await app.container.make('oryne.redis')
})

export { redis as default }
