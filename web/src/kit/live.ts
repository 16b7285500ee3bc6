import { useEffect, useRef } from 'preact/hooks'
import { refresh, session } from './api.js'

/*
 * Server-sent events from the API (docs/web.md, "Notifications, live"). The
 * native EventSource cannot send the bearer token and Oryne does not take
 * tokens in query strings (they end up in logs), so this reads the stream with
 * fetch. One connection per path is shared by every subscriber of the tab; it
 * reconnects after a drop with a growing delay (1 s doubling to 30 s, back to
 * the server's `retry:` once an answer arrived) and trades an expired token
 * for a new one before trying again.
 */

export type LiveEvent = { type: string; data: any; id?: string }
type Listener = (event: LiveEvent) => void

const FIRST_DELAY = 1000
const MAX_DELAY = 30_000

type Connection = { listeners: Set<Listener>; stop: () => void }
const connections = new Map<string, Connection>()

/** Splits a text/event-stream into events (blank-line separated fields; comments ignored). */
function parse(block: string): LiveEvent | { retry: number } | null {
  let type = 'message'
  let id: string | undefined
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') type = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
    else if (field === 'retry' && /^\d+$/.test(value)) return { retry: Number(value) }
  }
  if (data.length === 0) return null
  const text = data.join('\n')
  try {
    return { type, id, data: JSON.parse(text) }
  } catch {
    return { type, id, data: text }
  }
}

function connect(path: string, listeners: Set<Listener>): () => void {
  const abort = new AbortController()
  let delay = FIRST_DELAY
  let retry = 3000

  const once = async () => {
    const held = session()
    if (!held) return false
    const response = await fetch(path, {
      headers: {
        'Accept': 'text/event-stream',
        'Authorization': `Bearer ${held.access_token}`,
        'X-Tenant-ID': held.tenant,
      },
      signal: abort.signal,
    })
    if (response.status === 401) return refresh()
    if (!response.ok || !response.body) return true
    delay = FIRST_DELAY
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += value.replace(/\r\n?/g, '\n')
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = parse(buffer.slice(0, end))
        buffer = buffer.slice(end + 2)
        if (!event) continue
        if ('retry' in event) retry = event.retry
        else listeners.forEach((listener) => listener(event))
      }
    }
    // The server ended the stream (its lifetime): come back after its retry.
    delay = retry
    return true
  }

  const loop = async () => {
    while (!abort.signal.aborted) {
      const again = await once().catch(() => !abort.signal.aborted)
      if (!again || abort.signal.aborted) return
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, MAX_DELAY)
    }
  }
  void loop()
  return () => abort.abort()
}

/** Listens to the event stream at `path`; returns the way to stop listening. */
export function listen(path: string, listener: Listener): () => void {
  let connection = connections.get(path)
  if (!connection) {
    const listeners = new Set<Listener>()
    connection = { listeners, stop: connect(path, listeners) }
    connections.set(path, connection)
  }
  connection.listeners.add(listener)
  const held = connection
  return () => {
    held.listeners.delete(listener)
    if (held.listeners.size === 0) {
      held.stop()
      if (connections.get(path) === held) connections.delete(path)
    }
  }
}

/** Calls `onEvent` for every event of the stream at `path` while the component is shown. */
export function useLive(path: string, onEvent: Listener) {
  const latest = useRef(onEvent)
  latest.current = onEvent
  useEffect(() => listen(path, (event) => latest.current(event)), [path])
}
