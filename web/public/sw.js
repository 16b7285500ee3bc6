/*
 * The web app's service worker (docs/web.md, "Offline and installing"): the
 * shell (index.html and its hashed assets) is kept on the device so the app
 * opens offline. Pages are fetched from the network first; assets, whose names
 * change with their content, from the cache first.
 *
 * A few API answers stay readable offline (the app context, the calendar and
 * the recent notifications): fetched from the network first, the last good
 * answer kept under a key naming its user (tenant and user of the bearer
 * token), and answered from there only to a request of that same user when
 * the network fails. The app deletes the whole data cache at sign-out and when
 * another user signs in on the device (kit/offline.ts), so one person's data is
 * never shown to the next on a shared device.
 */
const SHELL = 'oryne-shell-v1'
const DATA = 'oryne-data-v1'

/** API reads kept for offline use (GET only). */
const OFFLINE_READS = [
  /^\/api\/v1\/app\/context$/,
  /^\/api\/v1\/app\/calendar$/,
  /^\/api\/v1\/notifications$/,
  /^\/api\/v1\/notifications\/unread-count$/,
]

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.add('/app/'))
      .then(() => self.skipWaiting())
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter(
              (name) =>
                (name.startsWith('oryne-shell-') && name !== SHELL) ||
                (name.startsWith('oryne-data-') && name !== DATA)
            )
            .map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
  )
})

/** `<tenant id>:<user id>` of the request's bearer token (not verified: the server does that). */
function userOf(request) {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.[\w-]+$/.exec(
    request.headers.get('Authorization') ?? ''
  )
  if (!match) return null
  try {
    const claims = JSON.parse(atob(match[2].replaceAll('-', '+').replaceAll('_', '/')))
    if (typeof claims.tid !== 'string' || typeof claims.sub !== 'string') return null
    return `${claims.tid}:${claims.sub}`
  } catch {
    return null
  }
}

/** The cache key of a user's answer: the address with the user in it, never shared between users. */
function keyOf(url, user) {
  return `${url.origin}/__offline/${encodeURIComponent(user)}${url.pathname}${url.search}`
}

function networkFirstForUser(request, url) {
  const user = userOf(request)
  if (!user) return fetch(request)
  const key = keyOf(url, user)
  return fetch(request).then(
    (response) => {
      if (response.ok) {
        const copy = response.clone()
        caches.open(DATA).then((cache) => cache.put(key, copy))
      }
      return response
    },
    (failure) =>
      caches.open(DATA).then(async (cache) => {
        const kept = await cache.match(key)
        if (kept) return kept
        throw failure
      })
  )
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (OFFLINE_READS.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirstForUser(request, url))
    return
  }
  if (request.mode === 'navigate' && url.pathname.startsWith('/app')) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone()
            caches.open(SHELL).then((cache) => cache.put('/app/', copy))
          }
          return response
        })
        .catch(() => caches.match('/app/'))
    )
    return
  }
  if (url.pathname.startsWith('/app/assets/') || url.pathname.startsWith('/app/icon')) {
    event.respondWith(
      caches.match(request).then(
        (cached) =>
          cached ??
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone()
              caches.open(SHELL).then((cache) => cache.put(request, copy))
            }
            return response
          })
      )
    )
  }
})
