import { PassThrough } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import { tenantContext } from '../tenancy/context.js'
import { unreadCount } from './inbox.js'
import { subscribeStream, type StreamEvent } from './stream.js'
import { streamConfig } from './stream_config.js'

/** One server-sent event. */
function frame(event: StreamEvent, id?: string) {
  return `${id ? `id: ${id}\n` : ''}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

/**
 * GET /api/v1/notifications/stream: server-sent events of the signed-in
 * user. First an `unread` event with the current count, then a `notification`
 * event (the notification and the new unread count) for every in-app
 * notification stored for them, and an `unread` event when they read some.
 */
export default class NotificationStreamController {
  async stream(ctx: HttpContext) {
    const user = ctx.auth.use('tenant').getUserOrFail()
    const tenant = tenantContext.require()
    const out = new PassThrough()
    const unsubscribe = await subscribeStream(tenant.id, user.id, (event) => {
      const id = event.type === 'notification' ? String(event.notification.id) : undefined
      out.write(frame(event, id))
    })
    // The count is read after subscribing: nothing stored in between is missed.
    out.write(`retry: 3000\n\n`)
    out.write(frame({ type: 'unread', unread: await unreadCount(user.id) }))

    const heartbeat = setInterval(
      () => out.write(`: keep-alive\n\n`),
      streamConfig.heartbeatSeconds() * 1000
    )
    const lifetime = setTimeout(() => out.end(), streamConfig.maxSeconds() * 1000)
    let closed = false
    const close = () => {
      if (closed) return
      closed = true
      clearInterval(heartbeat)
      clearTimeout(lifetime)
      void unsubscribe()
      out.end()
    }
    ctx.response.response.on('close', close)
    out.on('close', close)

    ctx.response.header('Content-Type', 'text/event-stream; charset=utf-8')
    ctx.response.header('Cache-Control', 'no-cache, no-store')
    ctx.response.header('Connection', 'keep-alive')
    // nginx and similar proxies would otherwise buffer the stream.
    ctx.response.header('X-Accel-Buffering', 'no')
    ctx.response.stream(out)
  }
}
