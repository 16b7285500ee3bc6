import { useState } from 'preact/hooks'
import { call, api } from '../kit/api.js'
import { useI18n } from '../kit/i18n.js'
import { useLive } from '../kit/live.js'
import { Empty, Notice, Page, Pager, Problem, useAction, useLoad } from '../kit/ui.js'

export type Notification = {
  id: string
  template: string
  subject: string
  body: string
  priority: string
  read_at: string | null
  created_at: string
}

export const NOTIFICATION_STREAM = '/api/v1/notifications/stream'

/** The unread count of the signed-in user, kept current by the live stream. */
export function useUnreadCount() {
  const [unread, setUnread] = useState<number | null>(null)
  useLive(NOTIFICATION_STREAM, (event) => {
    if (typeof event.data?.unread === 'number') setUnread(event.data.unread)
  })
  return unread
}

/** The inbox: newest first, new ones arriving live at the top of the first page. */
export function Notifications() {
  const { t, dateTime } = useI18n()
  const [page, setPage] = useState(1)
  const [arrived, setArrived] = useState<Notification[]>([])
  const [announce, setAnnounce] = useState('')
  const list = useLoad(() => {
    setArrived([])
    return call<Notification[]>('/api/v1/notifications', { query: { page, per_page: 20 } })
  }, [page])
  const action = useAction()
  useLive(NOTIFICATION_STREAM, (event) => {
    if (event.type !== 'notification' || page !== 1) return
    const notification = event.data.notification as Notification
    setArrived((previous) => [notification, ...previous.filter((n) => n.id !== notification.id)])
    setAnnounce(t('notifications.arrived', { subject: notification.subject }))
  })

  const loaded = list.data?.data ?? []
  const shown = [...arrived, ...loaded.filter((n) => !arrived.some((a) => a.id === n.id))]
  const pagination = list.data?.pagination
  const last = pagination ? Math.max(1, Math.ceil(pagination.total / pagination.per_page)) : 1

  const read = (id: string) =>
    action.run(async () => {
      await api(`/api/v1/notifications/${id}/read`, { method: 'POST' })
      setArrived((previous) =>
        previous.map((n) => (n.id === id ? { ...n, read_at: new Date().toISOString() } : n))
      )
      await list.reload()
    })
  const readAll = () =>
    action.run(async () => {
      const { marked } = await api<{ marked: number }>('/api/v1/notifications/read-all', {
        method: 'POST',
      })
      setAnnounce(t('notifications.markedAll', { count: marked }))
      setArrived((previous) => previous.map((n) => ({ ...n, read_at: n.read_at ?? 'now' })))
      await list.reload()
    })

  return (
    <Page
      title={t('nav.notifications')}
      actions={
        <button type="button" class="secondary" disabled={action.busy} onClick={readAll}>
          {t('notifications.readAll')}
        </button>
      }
    >
      <Notice text={announce} />
      <Problem error={list.error ?? action.error} />
      {list.loading && !list.data ? <p aria-busy="true" /> : null}
      {list.data && shown.length === 0 ? <Empty text={t('notifications.none')} /> : null}
      <ul class="notifications">
        {shown.map((notification) => (
          <li key={notification.id} class={notification.read_at ? 'read' : 'unread'}>
            <article>
              <header>
                <strong>{notification.subject}</strong>
                {notification.read_at ? null : (
                  <span class="unread-mark"> {t('notifications.new')}</span>
                )}
                <br />
                <small class="muted">
                  <time dateTime={notification.created_at}>
                    {dateTime(notification.created_at)}
                  </time>
                </small>
              </header>
              <p>{notification.body}</p>
              {notification.read_at ? null : (
                <button
                  type="button"
                  class="secondary outline"
                  disabled={action.busy}
                  aria-label={t('notifications.markReadOf', { subject: notification.subject })}
                  onClick={() => read(notification.id)}
                >
                  {t('notifications.markRead')}
                </button>
              )}
            </article>
          </li>
        ))}
      </ul>
      <Pager page={page} last={last} onPage={setPage} />
    </Page>
  )
}
