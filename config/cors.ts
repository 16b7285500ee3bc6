import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/cors'

/**
 * Which browser origins may call the API. ORYNE_CORS_ORIGINS is a comma-separated
 * list of exact origins (`https://app.school.example,https://admin.school.example`),
 * `*` for any origin, or `none`. Unset: none in production, any elsewhere.
 */
export function corsOrigins(value: string | undefined, production: boolean): boolean | string[] {
  const text = value?.trim()
  if (!text) return !production
  if (text === '*') return true
  if (text === 'none') return false
  return text
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean)
}

const corsConfig = defineConfig({
  enabled: true,
  origin: corsOrigins(process.env.ORYNE_CORS_ORIGINS, app.inProduction),
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  // Any request header (Authorization, X-Tenant-ID, X-Request-Id, ...).
  headers: true,
  exposeHeaders: [
    'x-request-id',
    'x-ratelimit-limit',
    'x-ratelimit-remaining',
    'x-ratelimit-reset',
    'retry-after',
  ],
  // Oryne authenticates with bearer tokens, never cookies.
  credentials: false,
  maxAge: 600,
})

export default corsConfig
