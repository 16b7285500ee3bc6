import { Fragment } from 'preact'
import { useRef, useState } from 'preact/hooks'
import { api } from '../kit/api.js'
import { useI18n } from '../kit/i18n.js'
import type { PageProps } from '../kit/plugins.js'
import { navigate } from '../kit/router.js'
import { Link, Loading, Notice, Page, Problem, useAction, useLoad } from '../kit/ui.js'
import { setFlash, takeFlash } from './flash.js'
import {
  fieldLabel,
  recordLabel,
  resourceTitle,
  shown,
  type DataRecord,
  type ResourceView,
} from './resources.js'
import { FieldValue } from './values.js'
import { Unknown, useResourceView } from './view.js'

/** Includes of every reference the user is shown, so that references read as their labels. */
export function includesOf(view: ResourceView) {
  return view.fields
    .filter((field) => field.reference && shown(field))
    .map((field) => field.reference!.include)
    .join(',')
}

/** The record of the address, with its references embedded. */
export function useRecord(view: ResourceView | null | undefined, id: string) {
  return useLoad(
    async () =>
      view
        ? api<DataRecord>(`${view.path}/${encodeURIComponent(id)}`, {
            query: { include: includesOf(view) || undefined },
          })
        : null,
    [view?.key, id]
  )
}

/** /data/:plugin/:resource/:id: one record, every field the user may see, edit and delete. */
export function DataDetail(props: PageProps) {
  const state = useResourceView(props.params.plugin, props.params.resource)
  if (state.loading && !state.data) return <Loading what={props.params.resource} />
  if (state.error) return <Problem error={state.error} />
  if (!state.data) return <Unknown />
  return <Detail view={state.data} id={props.params.id} />
}

function Detail(props: { view: ResourceView; id: string }) {
  const i18n = useI18n()
  const { t } = i18n
  const { view } = props
  const base = `/data/${view.plugin}/${view.name}`
  const record = useRecord(view, props.id)
  const [notice] = useState(takeFlash)
  const dialog = useRef<HTMLDialogElement>(null)
  const removing = useAction()
  const title = resourceTitle(i18n, view)

  if (record.loading && !record.data) return <Loading what={title} />
  if (record.error || !record.data)
    return (
      <Page title={title}>
        <Problem error={record.error} />
        <Link to={base}>{t('data.back', { resource: title })}</Link>
      </Page>
    )
  const data = record.data
  const label = recordLabel(view, data)
  const remove = () =>
    removing.run(async () => {
      await api(`${view.path}/${encodeURIComponent(props.id)}`, { method: 'DELETE' })
      dialog.current?.close()
      setFlash(t('data.deleted'))
      navigate(base)
    })
  const declared = view.fields.filter((field) => shown(field) && !field.builtin)
  const custom = view.custom_fields.filter(shown)
  const stamps = view.fields.filter((field) => field.builtin && field.name !== 'id')

  return (
    <Page
      title={label}
      actions={
        <>
          {view.actions.update ? (
            <button type="button" onClick={() => navigate(`${base}/${props.id}/edit`)}>
              {t('data.edit')}
            </button>
          ) : null}
          {view.actions.delete ? (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                removing.clear()
                dialog.current?.showModal()
              }}
            >
              {t('data.delete')}
            </button>
          ) : null}
        </>
      }
    >
      <p>
        <Link to={base}>{t('data.back', { resource: title })}</Link>
      </p>
      <Notice text={notice} />
      <h2>{t('data.fieldsTitle')}</h2>
      <dl class="data-record">
        {[...declared, ...custom, ...stamps].map((field) => (
          <Fragment key={field.name}>
            <dt>{fieldLabel(i18n, view, field)}</dt>
            <dd>
              <FieldValue view={view} field={field} record={data} />
            </dd>
          </Fragment>
        ))}
      </dl>
      <dialog ref={dialog} class="data-dialog" aria-labelledby="data-delete-title">
        <article>
          <h2 id="data-delete-title">{t('data.deleteTitle')}</h2>
          <p>{t('data.deleteText', { label })}</p>
          <Problem error={removing.error} />
          <footer>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              {t('app.cancel')}
            </button>
            <button
              type="button"
              onClick={remove}
              disabled={removing.busy}
              aria-busy={removing.busy}
            >
              {t('data.delete')}
            </button>
          </footer>
        </article>
      </dialog>
    </Page>
  )
}
