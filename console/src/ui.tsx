import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiError } from './api.js'
import { BASE, navigate } from './router.js'

/** An in-console link: real href (new tab, keyboard), client-side navigation on a plain click. */
export function Link(props: { to: string; children: ComponentChildren; current?: boolean }) {
  return (
    <a
      href={BASE + props.to}
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

/** Loads once per `key`, with a reload for after changes. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[] = []) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  })
  const reload = useCallback(() => {
    setState((previous) => ({ ...previous, loading: true }))
    return load().then(
      (data) => setState({ data, loading: false }),
      (error) => setState({ error, loading: false })
    )
  }, key)
  useEffect(() => {
    reload()
  }, [reload])
  return { ...state, reload }
}

export function messageOf(error: unknown) {
  if (error instanceof ApiError) {
    const details = Array.isArray(error.details)
      ? error.details
          .map((detail: any) => (typeof detail === 'string' ? detail : (detail?.message ?? '')))
          .filter(Boolean)
      : []
    return `${error.message}${details.length ? ` (${details.join('; ')})` : ''} [${error.code}]`
  }
  return error instanceof Error ? error.message : String(error)
}

/** An error, announced to screen readers. */
export function Problem(props: { error: unknown }) {
  if (!props.error) return null
  return (
    <p role="alert" class="problem">
      {messageOf(props.error)}
    </p>
  )
}

export function Notice(props: { text: string | null }) {
  return (
    <p role="status" class="notice">
      {props.text ?? ''}
    </p>
  )
}

/** Runs an action with its pending flag, its error and its success note. */
export function useAction() {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [note, setNote] = useState<string | null>(null)
  const run = async (action: () => Promise<string | void>) => {
    setPending(true)
    setError(null)
    setNote(null)
    try {
      setNote((await action()) ?? null)
    } catch (caught) {
      setError(caught)
    } finally {
      setPending(false)
    }
  }
  return { pending, error, note, run, setError }
}

export function Loading(props: { what: string }) {
  return <p aria-busy="true">Loading {props.what}…</p>
}

export function Pager(props: { page: number; last: number; onPage: (page: number) => void }) {
  if (props.last <= 1) return null
  return (
    <nav aria-label="Pages" class="pager">
      <button
        class="secondary"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        Previous
      </button>
      <span>
        Page {props.page} of {props.last}
      </span>
      <button
        class="secondary"
        disabled={props.page >= props.last}
        onClick={() => props.onPage(props.page + 1)}
      >
        Next
      </button>
    </nav>
  )
}

export function when(value: unknown) {
  if (!value) return '—'
  const date = new Date(String(value))
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString()
}
