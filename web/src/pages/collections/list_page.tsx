import { useState } from 'preact/hooks'
import { useApp } from '../../kit/context.js'
import { useI18n } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { navigate } from '../../kit/router.js'
import { Empty, Link, Loading, Notice, Page, Problem, useAction, useLoad } from '../../kit/ui.js'
import { resourceViews } from '../../data/resources.js'
import { setFlash, takeFlash } from '../../data/flash.js'
import { collectionsApi, type Definition } from './api.js'
import {
  FieldEditor,
  moved,
  newDraft,
  specOf,
  useTargets,
  type FieldDraft,
} from './field_editor.js'
import { MANAGE, nameOf, RefusalDetails } from './shared.js'

/** /collections: the tenant's collections (admins), each leading to its design, records, forms and automations. */
export function CollectionsList(_props: PageProps) {
  const app = useApp()
  const { t, number } = useI18n()
  const [notice] = useState(takeFlash)
  const list = useLoad(() => (app.can(MANAGE) ? collectionsApi.list() : Promise.resolve([])), [])
  if (!app.can(MANAGE))
    return (
      <Page title={t('col.title')}>
        <p role="alert">{t('col.notAdmin')}</p>
        <Link to="/data">{t('data.title')}</Link>
      </Page>
    )
  return (
    <Page
      title={t('col.title')}
      actions={
        <button type="button" onClick={() => navigate('/collections/new')}>
          {t('col.new')}
        </button>
      }
    >
      <p class="muted">{t('col.intro')}</p>
      <Notice text={notice} />
      <Problem error={list.error} />
      {list.loading && !list.data ? <Loading what={t('col.title')} /> : null}
      {list.data && list.data.length === 0 ? <Empty text={t('col.none')} /> : null}
      {list.data && list.data.length > 0 ? (
        <div class="data-scroll" role="region" aria-label={t('col.title')} tabIndex={0}>
          <table class="striped">
            <thead>
              <tr>
                <th scope="col">{t('col.label')}</th>
                <th scope="col">{t('col.name')}</th>
                <th scope="col">{t('col.fieldCount')}</th>
                <th scope="col">{t('col.records')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((collection) => (
                <tr key={collection.name}>
                  <td>
                    <Link to={`/collections/${collection.name}`}>{collection.label}</Link>
                  </td>
                  <td>
                    <code>{collection.name}</code>
                  </td>
                  <td>{number(Object.keys(collection.definition?.fields ?? {}).length)}</td>
                  <td>
                    <Link to={`/collections/${collection.name}/records`}>
                      {t('col.openRecords', { label: collection.label })}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  )
}

/** /collections/new: the builder: name, label, description and the fields in order. */
export function CollectionBuilder(_props: PageProps) {
  const app = useApp()
  const { t } = useI18n()
  const [label, setLabel] = useState('')
  const [name, setName] = useState('')
  const [autoName, setAutoName] = useState(true)
  const [description, setDescription] = useState('')
  const [fields, setFields] = useState<FieldDraft[]>([newDraft()])
  const [title, setTitle] = useState('')
  const targets = useTargets()
  const saving = useAction()

  if (!app.can(MANAGE))
    return (
      <Page title={t('col.new')}>
        <p role="alert">{t('col.notAdmin')}</p>
      </Page>
    )

  const update = (index: number, draft: FieldDraft) =>
    setFields(fields.map((field, at) => (at === index ? draft : field)))
  const textFields = fields.filter(
    (field) => field.name && (field.spec.type === 'string' || field.spec.type === 'text')
  )

  const submit = (event: Event) => {
    event.preventDefault()
    saving.run(async () => {
      const definition: Definition = { fields: {} }
      for (const draft of fields) definition.fields[draft.name.trim()] = specOf(draft)
      if (title) definition.title = title
      const created = await collectionsApi.create({
        name: name.trim(),
        label: label.trim(),
        description: description.trim() || undefined,
        definition,
      })
      // The generated views and pickers list collections too: read them again.
      await resourceViews(true).catch(() => undefined)
      setFlash(t('col.created', { label: created.label }))
      navigate(`/collections/${created.name}`)
    })
  }

  return (
    <Page title={t('col.new')}>
      <p>
        <Link to="/collections">{t('col.back')}</Link>
      </p>
      <form onSubmit={submit} class="col-builder">
        <label for="collection-label">
          {t('col.label')}
          <input
            id="collection-label"
            value={label}
            required
            maxLength={120}
            onInput={(event) => {
              const value = event.currentTarget.value
              setLabel(value)
              if (autoName) setName(nameOf(value))
            }}
          />
        </label>
        <label for="collection-name">
          {t('col.name')}
          <input
            id="collection-name"
            value={name}
            required
            pattern="[a-z][a-z0-9_]{1,38}"
            autoCapitalize="none"
            aria-describedby="collection-name-hint"
            onInput={(event) => {
              setName(event.currentTarget.value)
              setAutoName(false)
            }}
          />
          <small id="collection-name-hint">{t('col.nameHint')}</small>
        </label>
        <label for="collection-description">
          {t('col.description')}
          <textarea
            id="collection-description"
            rows={2}
            maxLength={500}
            value={description}
            onInput={(event) => setDescription(event.currentTarget.value)}
          />
        </label>
        <h2>{t('col.fields')}</h2>
        {fields.map((draft, index) => (
          <FieldEditor
            key={draft.key}
            draft={draft}
            index={index}
            count={fields.length}
            targets={targets}
            onChange={(next) => update(index, next)}
            onMove={(delta) => setFields(moved(fields, index, delta))}
            onRemove={
              fields.length > 1
                ? () => setFields(fields.filter((_, at) => at !== index))
                : undefined
            }
          />
        ))}
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const draft = newDraft()
            setFields([...fields, draft])
            // The new field's first control, for the keyboard.
            setTimeout(() => document.getElementById(`field-${draft.key}-label`)?.focus(), 0)
          }}
        >
          {t('col.addField')}
        </button>
        <label for="collection-title">
          {t('col.titleField')}
          <select
            id="collection-title"
            value={title}
            onChange={(event) => setTitle(event.currentTarget.value)}
          >
            <option value="">{t('col.titleFieldAuto')}</option>
            {textFields.map((field) => (
              <option key={field.key} value={field.name}>
                {field.spec.label || field.name}
              </option>
            ))}
          </select>
        </label>
        <Problem error={saving.error} />
        <RefusalDetails error={saving.error} />
        <button type="submit" disabled={saving.busy} aria-busy={saving.busy}>
          {t('col.create')}
        </button>
      </form>
    </Page>
  )
}
