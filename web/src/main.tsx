import { render } from 'preact'
import '@picocss/pico/css/pico.min.css'
import './styles.css'
import { App } from './app.js'
import { guardOfflineData } from './kit/offline.js'

guardOfflineData()
// /app is outside the service worker's scope (/app/): the address is the same page inside it.
if (location.pathname === '/app') history.replaceState(null, '', `/app/${location.search}`)
render(<App />, document.getElementById('app')!)

// The shell is cached for offline use (public/sw.js); only over https or on localhost.
if ('serviceWorker' in navigator && window.isSecureContext)
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined)
