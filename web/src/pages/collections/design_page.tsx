import { useRef, useState } from 'preact/hooks'
import { api } from '../../kit/api.js'
import { useI18n } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { navigate } from '../../kit/router.js'
import { Link, Loading, Notice, Page, Problem, useAction } from '../../kit/ui.js'
import { resourceViews } from '../../data/resources.js'
import { setFlash, takeFlash } from '../../data/flash.js'
import { collectionsApi, type ChangeOp, type Collection, type Plan } from './api.js'
import { FieldEditor, newDraft, specOf, useTargets, type FieldDraft } from './field_editor.js'
import { CollectionTabs, labelOf, RefusalDetails, useCollection } from './shared.js'

/** /collections/:name: the collection's fields, and changing them with a dry run first. */
export function CollectionDesign(props: PageProps) {
  const { t } = useI18n()
  const collection = useCollection(props.params.name)
  if (collection.loading && !collection.data) return <Loading what={props.params.name} />
  if (!collection.data)
    return (
      <Page title={t('col.title')}>
        <Problem error={collection.error} />
        <Link to="/collections">{t('col.back')}</Link>
      </Page>
    )
  return <Design collection={collection.data} reload={collection.reload} />
}

/**
 * Downloads the collection's template: the answer's data (the document
 * `oryne collection import` and POST …/import take), not its envelope.
 */
async function saveTemplate(name: string) {
  const template = await api(`/api/v1/admin/collections/${encodeURIComponent(name)}/template`)
  const link = document.createElement('a')
  link.href = URL.createObjectURL(
    new Blob([`${JSON.stringify(template, null, 2)}\n`], { type: 'application/json' })
  )
  link.download = `${name}.collection.json`
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}

/** A pending change as the admin reads it in the list of changes to preview. */
function describe(t: (key: string, values?: any) => string, collection: Collection, op: ChangeOp) {
  switch (op.op) {
    case 'add_field':
      return t('col.change.add', {
        name: op.field.label || op.name,
        type: t(`col.type.${op.field.type}`),
      })
    case 'remove_field':
      return t('col.change.remove', { name: labelOf(collection, op.name) })
    case 'rename_field':
      return t('col.change.rename', { from: op.from, to: op.to })
    case 'change_field':
      return t('col.change.change', { name: labelOf(collection, op.name) })
  }
}

function Design(props: { collection: Collection; reload: () => Promise<unknown> }) {
  const i18n = useI18n()
  const { t, number } = i18n
  const { collection } = props
  const [notice, setNotice] = useState(takeFlash)
  const [changes, setChanges] = useState<ChangeOp[]>([])
  const [plan, setPlan] = useState<Plan | null>(null)
  const [confirmed, setConfirmed] = useState(false)
  const [adding, setAdding] = useState<FieldDraft | null>(null)
  const [editing, setEditing] = useState<FieldDraft | null>(null)
  const [renaming, setRenaming] = useState<{ from: string; to: string } | null>(null)
  const targets = useTargets(collection.name)
  const previewing = useAction()
  const applying = useAction()
  const removing = useAction()
  const exporting = useAction()
  const dialog = useRef<HTMLDialogElement>(null)
  const [typed, setTyped] = useState('')
  const fields = Object.entries(collection.definition.fields ?? {})

  const queue = (op: ChangeOp) => {
    setChanges([...changes, op])
    setPlan(null)
    setConfirmed(false)
  }
  const preview = () =>
    previewing.run(async () => {
      setPlan(await collectionsApi.changes(collection.name, { changes, dry_run: true }))
      setConfirmed(false)
    })
  const destructive = Boolean(plan?.destructive)
  const blocked = plan?.applicable === false
  const apply = () =>
    applying.run(async () => {
      const applied = await collectionsApi.changes(collection.name, {
        changes,
        ...(destructive ? { confirm: true } : {}),
      })
      setChanges([])
      setPlan(null)
      setConfirmed(false)
      await resourceViews(true).catch(() => undefined)
      await props.reload()
      setNotice(
        applied.backup_table
          ? t('col.change.appliedBackup', { table: applied.backup_table })
          : t('col.change.applied')
      )
    })
  const remove = () =>
    removing.run(async () => {
      await collectionsApi.remove(collection.name)
      dialog.current?.close()
      await resourceViews(true).catch(() => undefined)
      setFlash(t('col.deleted', { label: collection.label }))
      navigate('/collections')
    })

  return (
    <Page
      title={collection.label}
      actions={
        <button
          type="button"
          class="secondary"
          disabled={exporting.busy}
          onClick={() => exporting.run(() => saveTemplate(collection.name))}
        >
          {t('col.exportTemplate')}
        </button>
      }
    >
      <CollectionTabs name={collection.name} current="" />
      {collection.description ? <p class="muted">{collection.description}</p> : null}
      <Notice text={notice} />
      <Problem error={exporting.error} />
      <h2>{t('col.fields')}</h2>
      <p class="muted">
        {t('col.versionOf', { version: collection.version, name: collection.name })}
      </p>
      <div class="data-scroll" role="region" aria-label={t('col.fields')} tabIndex={0}>
        <table class="striped">
          <thead>
            <tr>
              <th scope="col">{t('col.field.label')}</th>
              <th scope="col">{t('col.field.name')}</th>
              <th scope="col">{t('col.field.type')}</th>
              <th scope="col">{t('col.field.details')}</th>
              <th scope="col">{t('col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([name, spec]) => (
              <tr key={name}>
                <td>{spec.label || name}</td>
                <td>
                  <code>{name}</code>
                </td>
                <td>{t(`col.type.${spec.type}`)}</td>
                <td>
                  {[
                    spec.required ? t('col.field.required') : null,
                    spec.values?.join(', '),
                    spec.target,
                    spec.personal ? t('col.field.personalShort') : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </td>
                <td>
                  <div class="col-row-actions">
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={t('col.editOf', { name: spec.label || name })}
                      onClick={() => setEditing(newDraft(name, spec))}
                    >
                      {t('col.edit')}
                    </button>
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={t('col.renameOf', { name: spec.label || name })}
                      onClick={() => setRenaming({ from: name, to: name })}
                    >
                      {t('col.rename')}
                    </button>
                    <button
                      type="button"
                      class="secondary outline"
                      aria-label={t('col.removeOf', { name: spec.label || name })}
                      onClick={() => queue({ op: 'remove_field', name })}
                    >
                      {t('col.remove')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {renaming ? (
        <form
          class="col-inline"
          onSubmit={(event) => {
            event.preventDefault()
            queue({ op: 'rename_field', from: renaming.from, to: renaming.to.trim() })
            setRenaming(null)
          }}
        >
          <label for="rename-to">
            {t('col.renameTo', { name: renaming.from })}
            <input
              id="rename-to"
              value={renaming.to}
              required
              pattern="[a-z][a-z0-9_]{0,39}"
              onInput={(event) => setRenaming({ ...renaming, to: event.currentTarget.value })}
            />
          </label>
          <button type="submit">{t('col.change.queue')}</button>
          <button type="button" class="secondary" onClick={() => setRenaming(null)}>
            {t('app.cancel')}
          </button>
        </form>
      ) : null}
      {editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            queue({ op: 'change_field', name: editing.name, field: specOf(editing) })
            setEditing(null)
          }}
        >
          <FieldEditor
            draft={editing}
            index={fields.findIndex(([name]) => name === editing.name)}
            count={fields.length}
            targets={targets}
            fixedName
            onChange={setEditing}
          />
          <button type="submit">{t('col.change.queue')}</button>
          <button type="button" class="secondary" onClick={() => setEditing(null)}>
            {t('app.cancel')}
          </button>
        </form>
      ) : null}
      {adding ? (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            queue({ op: 'add_field', name: adding.name.trim(), field: specOf(adding) })
            setAdding(null)
          }}
        >
          <FieldEditor
            draft={adding}
            index={fields.length}
            count={fields.length + 1}
            targets={targets}
            onChange={setAdding}
          />
          <button type="submit">{t('col.change.queue')}</button>
          <button type="button" class="secondary" onClick={() => setAdding(null)}>
            {t('app.cancel')}
          </button>
        </form>
      ) : (
        <button type="button" class="secondary" onClick={() => setAdding(newDraft())}>
          {t('col.addField')}
        </button>
      )}

      {changes.length > 0 ? (
        <section aria-labelledby="changes-title" class="col-changes">
          <h2 id="changes-title">{t('col.change.title')}</h2>
          <ol>
            {changes.map((op, index) => (
              <li key={index}>
                {describe(t, collection, op)}{' '}
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    setChanges(changes.filter((_, at) => at !== index))
                    setPlan(null)
                  }}
                >
                  {t('col.change.drop')}
                </button>
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={preview}
            disabled={previewing.busy}
            aria-busy={previewing.busy}
          >
            {t('col.change.preview')}
          </button>
          <Problem error={previewing.error} />
          <RefusalDetails error={previewing.error} />
          {plan ? (
            <div aria-live="polite">
              <h3>{t('col.change.plan')}</h3>
              <div class="data-scroll" role="region" aria-label={t('col.change.plan')} tabIndex={0}>
                <table class="striped">
                  <thead>
                    <tr>
                      <th scope="col">{t('col.change.step')}</th>
                      <th scope="col">{t('col.field.name')}</th>
                      <th scope="col">{t('col.change.affected')}</th>
                      <th scope="col">{t('col.change.destructive')}</th>
                      <th scope="col">{t('col.change.problems')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(plan.steps ?? []).map((step, index) => (
                      <tr key={index}>
                        <td>{step.description ?? step.sql_kind}</td>
                        <td>{step.field ?? ''}</td>
                        <td>{number(step.affected_rows ?? 0)}</td>
                        <td>{step.destructive ? t('data.yes') : t('data.no')}</td>
                        <td>
                          {(step.problems ?? []).map((problem) => problem.message).join('; ')}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {destructive ? (
                <label for="confirm-destructive" class="col-warning">
                  <input
                    id="confirm-destructive"
                    type="checkbox"
                    checked={confirmed}
                    onChange={(event) => setConfirmed(event.currentTarget.checked)}
                  />
                  {t('col.change.confirm', {
                    rows: (plan.steps ?? [])
                      .filter((step) => step.destructive)
                      .reduce((sum, step) => sum + (step.affected_rows ?? 0), 0),
                  })}
                </label>
              ) : null}
              <button
                type="button"
                onClick={apply}
                disabled={applying.busy || blocked || (destructive && !confirmed)}
                aria-busy={applying.busy}
              >
                {t('col.change.apply')}
              </button>
              <Problem error={applying.error} />
              <RefusalDetails error={applying.error} />
            </div>
          ) : null}
        </section>
      ) : null}

      <h2>{t('col.dangerZone')}</h2>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          removing.clear()
          setTyped('')
          dialog.current?.showModal()
        }}
      >
        {t('col.delete')}
      </button>
      <dialog ref={dialog} aria-labelledby="col-delete-title">
        <article>
          <h2 id="col-delete-title">{t('col.deleteTitle', { label: collection.label })}</h2>
          <p>{t('col.deleteText')}</p>
          <label for="col-delete-confirm">
            {t('col.deleteType', { name: collection.name })}
            <input
              id="col-delete-confirm"
              value={typed}
              autoCapitalize="none"
              onInput={(event) => setTyped(event.currentTarget.value)}
            />
          </label>
          <Problem error={removing.error} />
          <footer>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              {t('app.cancel')}
            </button>
            <button
              type="button"
              onClick={remove}
              disabled={removing.busy || typed !== collection.name}
              aria-busy={removing.busy}
            >
              {t('col.delete')}
            </button>
          </footer>
        </article>
      </dialog>
    </Page>
  )
}
