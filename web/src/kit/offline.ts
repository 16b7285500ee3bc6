import { useEffect, useState } from 'preact/hooks'
import { onSession, session, type Session } from './api.js'

/*
 * The device side of offline use (docs/web.md, "Offline and installing"):
 * public/sw.js keeps a few API answers per user; this forgets all of them when
 * the user signs out and when someone else signs in on the device, so a shared
 * phone or lab computer never shows one person's data to the next.
 */

const DATA_CACHES = 'oryne-data-'
const HOLDER = 'oryne.app.offlineFor'

const whoOf = (held: Session | null) => (held ? `${held.tenant} ${held.email}` : null)

/** Deletes every cached API answer of the service worker. */
export async function forgetOfflineData() {
  if (typeof caches === 'undefined') return
  const names = await caches.keys()
  await Promise.all(
    names.filter((name) => name.startsWith(DATA_CACHES)).map((name) => caches.delete(name))
  )
}

/** Whose answers the cache may hold; a change of person empties it first. */
async function follow(next: Session | null) {
  const who = whoOf(next)
  if (localStorage.getItem(HOLDER) === who) return
  await forgetOfflineData()
  if (who) localStorage.setItem(HOLDER, who)
  else localStorage.removeItem(HOLDER)
}

/** Starts following the session (once, at start-up). */
export function guardOfflineData() {
  void follow(session())
  onSession((next) => void follow(next))
}

/** Whether the browser says it is online; follows changes. */
export function useOnline() {
  const [online, setOnline] = useState(() => navigator.onLine)
  useEffect(() => {
    const update = () => setOnline(navigator.onLine)
    addEventListener('online', update)
    addEventListener('offline', update)
    return () => {
      removeEventListener('online', update)
      removeEventListener('offline', update)
    }
  }, [])
  return online
}
