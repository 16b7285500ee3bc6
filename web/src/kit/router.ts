import { useEffect, useState } from 'preact/hooks'

/** History-API routing under /app; the server answers index.html for every such path. */
export const BASE = '/app'

export function navigate(path: string, options: { replace?: boolean } = {}) {
  if (options.replace) history.replaceState(null, '', BASE + path)
  else history.pushState(null, '', BASE + path)
  dispatchEvent(new PopStateEvent('popstate'))
}

export type Location = { path: string; query: URLSearchParams }

function read(): Location {
  return {
    path: location.pathname.slice(BASE.length).replace(/\/$/, '') || '/',
    query: new URLSearchParams(location.search),
  }
}

/** The path inside the app (`/library/desk`) and its query; follows navigation. */
export function useLocation(): Location {
  const [where, setWhere] = useState(read)
  useEffect(() => {
    const update = () => setWhere(read())
    addEventListener('popstate', update)
    return () => removeEventListener('popstate', update)
  }, [])
  return where
}

/**
 * Matches `path` against a pattern of segments (`loans/:id`); the named
 * segments, or null. A trailing `*` takes the rest.
 */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const have = path.split('/').filter(Boolean)
  const params: Record<string, string> = {}
  for (const [index, segment] of want.entries()) {
    if (segment === '*') {
      params['*'] = have.slice(index).join('/')
      return params
    }
    const value = have[index]
    if (value === undefined) return null
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(value)
    else if (segment !== value) return null
  }
  return have.length === want.length ? params : null
}
