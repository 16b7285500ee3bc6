import { useEffect, useState } from 'preact/hooks'

/** History-API routing under /console; the server answers index.html for every such path. */
export const BASE = '/console'

export function navigate(path: string) {
  history.pushState(null, '', BASE + path)
  dispatchEvent(new PopStateEvent('popstate'))
}

/** The path inside the console (`/modules`, `/data/lms`), and its query. */
export function useLocation() {
  const read = () => ({
    path: location.pathname.slice(BASE.length).replace(/\/$/, '') || '/',
    query: new URLSearchParams(location.search),
  })
  const [where, setWhere] = useState(read)
  useEffect(() => {
    const update = () => setWhere(read())
    addEventListener('popstate', update)
    return () => removeEventListener('popstate', update)
  }, [])
  return where
}
