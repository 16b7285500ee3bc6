import { describeOperations } from '../openapi/operations.js'

/* The live notification stream (docs/notifications.md, "Live stream"). */
describeOperations({
  'GET /api/v1/notifications/stream': {
    summary: 'Live stream of your in-app notifications (server-sent events)',
    description:
      'Events: `unread` `{type, unread}` on connect and after reading, `notification` ' +
      '`{type, notification, unread}` for every new in-app notification. Keep-alive comments every 25 s.',
    tags: ['Notifications'],
    security: ['tenantUser'],
    raw: { contentType: 'text/event-stream' },
  },
})
