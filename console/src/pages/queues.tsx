import { api } from '../api.js'
import { Loading, Problem, useLoad } from '../ui.js'

type QueueCounts = {
  queue: string
  waiting: number
  active: number
  failed: number
  delayed?: number
  completed?: number
  paused?: boolean
}

/** Jobs per queue (waiting, active, failed), from the platform API. */
export function Queues() {
  const status = useLoad(() =>
    api<{ driver: string; queues: QueueCounts[] }>('/api/v1/platform/queues')
  )
  if (!status.data)
    return status.error ? <Problem error={status.error} /> : <Loading what="queues" />
  return (
    <section aria-labelledby="queues-title">
      <h1 id="queues-title">Queues</h1>
      <p>
        Driver: {status.data.driver}.{' '}
        <button class="secondary outline" onClick={() => status.reload()}>
          Refresh
        </button>{' '}
        <a href="/metrics">Prometheus metrics</a>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Waiting</th>
            <th scope="col">Active</th>
            <th scope="col">Failed</th>
            <th scope="col">Delayed</th>
          </tr>
        </thead>
        <tbody>
          {status.data.queues.map((queue) => (
            <tr key={queue.queue} data-queue={queue.queue}>
              <td>
                {queue.queue} {queue.paused ? '(paused)' : ''}
              </td>
              <td>{queue.waiting}</td>
              <td>{queue.active}</td>
              <td class={queue.failed ? 'problem' : undefined}>{queue.failed}</td>
              <td>{queue.delayed ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
