import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.js'
import { useI18n } from './i18n.js'
import { BASE, navigate } from './router.js'

/** An in-app link: a real href (new tab, keyboard), client-side navigation on a plain click. */
export function Link(props: {
  to: string
  children: ComponentChildren
  current?: boolean
  class?: string
}) {
  return (
    <a
      href={BASE + props.to}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return
        event.preventDefault()
        navigate(props.to)
      }}
    >
      {props.children}
    </a>
  )
}

/** Loads once per `key`, with a reload for after changes; only the latest load's answer is kept. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[] = []) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  })
  // A slower answer to an earlier key (a filter changed twice) must not replace the latest.
  const latest = useRef(0)
  const reload = useCallback(() => {
    const call = ++latest.current
    setState((previous) => ({ ...previous, loading: true }))
    return load().then(
      (data) => call === latest.current && setState({ data, loading: false }),
      (error) => call === latest.current && setState({ error, loading: false })
    )
  }, key)
  useEffect(() => {
    reload()
  }, [reload])
  return { ...state, reload }
}

/** Runs an action (a save, a check-out), keeping whether it runs and how it failed. */
/** Back to `control` once it can take it, unless the action moved the focus somewhere on purpose. */
function giveFocusBack(control: HTMLElement) {
  const lost = !document.activeElement || document.activeElement === document.body
  if (lost && control.isConnected && !control.matches(':disabled')) control.focus()
}

export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    // A button is disabled while its action runs, and a disabled control loses
    // the focus: a keyboard user would start again from the top of the page.
    const focused = document.activeElement
    setBusy(true)
    setError(null)
    try {
      return await action()
    } catch (caught) {
      setError(caught)
      return undefined
    } finally {
      setBusy(false)
      if (focused instanceof HTMLElement) setTimeout(() => giveFocusBack(focused), 0)
    }
  }, [])
  return { busy, error, run, clear: () => setError(null) }
}

/** A page of the app: its title (also the document's) as the one h1. */
export function Page(props: {
  title: string
  children: ComponentChildren
  actions?: ComponentChildren
}) {
  const { t } = useI18n()
  useEffect(() => {
    document.title = `${props.title} · ${t('app.name')}`
  }, [props.title])
  return (
    <section aria-labelledby="page-title" class="page">
      <header class="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  )
}

/** The API's refusal as it words it, with its code; anything else as its message. */
export function Problem(props: { error: unknown }) {
  const i18n = useI18n()
  const { t } = i18n
  if (!props.error) return null
  const error = props.error
  // A refusal the catalogues word (`error.<CODE>`, a plugin's too) is shown in the user's language.
  const worded = error instanceof ApiError && i18n.has(`error.${error.code}`)
  const text =
    error instanceof ApiError
      ? worded
        ? t(`error.${error.code}`)
        : error.status === 403
          ? `${t('app.forbidden')} (${error.message})`
          : error.message
      : ((error as Error)?.message ?? String(error))
  return (
    <p role="alert" class="problem">
      {t('app.error', { message: text })}
      {error instanceof ApiError ? <code class="code"> {error.code}</code> : null}
    </p>
  )
}

/** A polite status line (saved, sent…); nothing when `text` is empty. */
export function Notice(props: { text: string | null | undefined }) {
  return (
    <p role="status" class="notice">
      {props.text ?? ''}
    </p>
  )
}

export function Loading(props: { what: string }) {
  const { t } = useI18n()
  return <p aria-busy="true">{t('app.loading', { what: props.what })}</p>
}

export function Empty(props: { text?: string }) {
  const { t } = useI18n()
  return <p class="empty">{props.text ?? t('app.empty')}</p>
}

/** Previous / next over a paginated list. */
export function Pager(props: { page: number; last: number; onPage: (page: number) => void }) {
  const { t } = useI18n()
  if (props.last <= 1) return null
  return (
    <nav aria-label={t('app.pageOf', { page: props.page, last: props.last })} class="pager">
      <button
        type="button"
        class="secondary"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        {t('app.previous')}
      </button>
      <span>{t('app.pageOf', { page: props.page, last: props.last })}</span>
      <button
        type="button"
        class="secondary"
        disabled={props.page >= props.last}
        onClick={() => props.onPage(props.page + 1)}
      >
        {t('app.next')}
      </button>
    </nav>
  )
}
