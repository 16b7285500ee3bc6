import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'
import { answerBadUrl } from '#core/http/client_errors'

/**
 * Used to sign and encrypt values. Production must provide APP_KEY; elsewhere
 * start/env.ts falls back to a key generated once under storage/.
 */
export const appKey = env.get('APP_KEY')

export const http = defineConfig({
  /*
   * Every request gets an id: the caller's X-Request-Id when it sends a sane
   * one, a fresh UUID otherwise. It is echoed back and carried by every log line.
   */
  generateRequestId: true,
  allowMethodSpoofing: false,
  useAsyncLocalStorage: true,
  trustProxy: () => env.get('TRUST_PROXY', false),
  /* A path whose % escapes do not decode: the envelope, like every other error. */
  onBadUrl: answerBadUrl,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
