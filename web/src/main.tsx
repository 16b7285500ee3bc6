import { render } from 'preact'
import '@picocss/pico/css/pico.min.css'
import './styles.css'
import { App } from './app.js'

render(<App />, document.getElementById('app')!)

// The shell is cached for offline use (public/sw.js); only over https or on localhost.
if ('serviceWorker' in navigator && window.isSecureContext)
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined)
