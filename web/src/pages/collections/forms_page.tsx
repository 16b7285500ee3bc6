import { useState } from 'preact/hooks'
import { session } from '../../kit/api.js'
import { useI18n } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { BASE, navigate } from '../../kit/router.js'
import { Empty, Link, Loading, Notice, Page, Problem, useAction, useLoad } from '../../kit/ui.js'
import { setFlash, takeFlash } from '../../data/flash.js'
import {
  collectionsApi,
  type Collection,
  type CollectionForm,
  type FormField,
  type FormSection,
} from './api.js'
import { moved } from './field_editor.js'
import {
  CollectionTabs,
  fieldsOf,
  labelOf,
  nameOf,
  RefusalDetails,
  useCollection,
} from './shared.js'

/** The address anyone opens a public form at (the school named, for a shared domain). */
export function shareLink(slug: string) {
  const school = session()?.tenant
  return `${location.origin}${BASE}/forms/${encodeURIComponent(slug)}${school ? `?school=${encodeURIComponent(school)}` : ''}`
}

/** /collections/:name/forms: the collection's forms, their public links. */
export function CollectionForms(props: PageProps) {
  const { t } = useI18n()
  const name = props.params.name
  const collection = useCollection(name)
  const forms = useLoad(() => collectionsApi.forms(name), [name])
  const [notice] = useState(takeFlash)
  const removing = useAction()
  const title = collection.data?.label ?? name
  return (
    <Page
      title={t('col.forms.title', { label: title })}
      actions={
        <button type="button" onClick={() => navigate(`/collections/${name}/forms/new`)}>
          {t('col.forms.new')}
        </button>
      }
    >
      <CollectionTabs name={name} current="/forms" />
      <Notice text={notice} />
      <Problem error={forms.error ?? removing.error} />
      {forms.loading && !forms.data ? <Loading what={t('col.tab.forms')} /> : null}
      {forms.data && forms.data.length === 0 ? <Empty text={t('col.forms.none')} /> : null}
      <ul class="col-list">
        {(forms.data ?? []).map((form) => (
          <li key={form.id}>
            <article>
              <h2>
                <Link to={`/collections/${name}/forms/${form.id}`}>{form.title}</Link>
              </h2>
              <p>{form.public ? t('col.forms.isPublic') : t('col.forms.isPrivate')}</p>
              {form.public ? (
                <label for={`share-${form.id}`}>
                  {t('col.forms.share')}
                  <input id={`share-${form.id}`} readOnly value={shareLink(form.slug)} />
                </label>
              ) : null}
              <p>
                <Link to={`/collections/${name}/fill/${form.slug}`}>
                  {t('col.forms.fill', { title: form.title })}
                </Link>
              </p>
              <button
                type="button"
                class="secondary outline"
                disabled={removing.busy}
                aria-label={t('col.removeOf', { name: form.title })}
                onClick={() =>
                  removing.run(async () => {
                    await collectionsApi.removeForm(name, form.id)
                    await forms.reload()
                  })
                }
              >
                {t('col.remove')}
              </button>
            </article>
          </li>
        ))}
      </ul>
    </Page>
  )
}

/** /collections/:name/forms/new and /collections/:name/forms/:id: the form builder. */
export function CollectionFormBuilder(props: PageProps) {
  const { t } = useI18n()
  const { name, id } = props.params
  const collection = useCollection(name)
  const form = useLoad(async () => {
    if (!id) return null
    const all = await collectionsApi.forms(name)
    return all.find((candidate) => String(candidate.id) === id) ?? null
  }, [name, id])
  if ((collection.loading && !collection.data) || (form.loading && !form.data && id))
    return <Loading what={t('col.tab.forms')} />
  if (!collection.data || (id && !form.data))
    return (
      <Page title={t('col.tab.forms')}>
        <Problem error={collection.error ?? form.error} />
        {id && !form.error ? <p role="alert">{t('app.notFound')}</p> : null}
      </Page>
    )
  return <Builder collection={collection.data} form={form.data ?? null} />
}

function Builder(props: { collection: Collection; form: CollectionForm | null }) {
  const { t } = useI18n()
  const { collection } = props
  const all = fieldsOf(collection)
  const [title, setTitle] = useState(props.form?.title ?? collection.label)
  const [slug, setSlug] = useState(
    props.form?.slug ?? nameOf(collection.label, 60).replaceAll('_', '-')
  )
  const [description, setDescription] = useState(props.form?.description ?? '')
  const [isPublic, setPublic] = useState(props.form?.public ?? true)
  const [success, setSuccess] = useState<string>(props.form?.settings?.success_message ?? '')
  const [sections, setSections] = useState<FormSection[]>(
    props.form?.sections ?? [{ title: '', fields: all.map(([field]) => ({ name: field })) }]
  )
  const saving = useAction()
  const used = new Set(sections.flatMap((section) => section.fields.map((field) => field.name)))

  const setSection = (index: number, section: FormSection) =>
    setSections(sections.map((candidate, at) => (at === index ? section : candidate)))
  const setField = (index: number, at: number, field: FormField) =>
    setSection(index, {
      ...sections[index],
      fields: sections[index].fields.map((candidate, place) => (place === at ? field : candidate)),
    })

  const submit = (event: Event) => {
    event.preventDefault()
    saving.run(async () => {
      const body = {
        title: title.trim(),
        slug: slug.trim(),
        description: description.trim() || null,
        public: isPublic,
        sections: sections.map((section) => ({
          ...(section.title?.trim() ? { title: section.title.trim() } : {}),
          fields: section.fields.map((field) => ({
            name: field.name,
            ...(field.label?.trim() ? { label: field.label.trim() } : {}),
            ...(field.help?.trim() ? { help: field.help.trim() } : {}),
            ...(field.show_if?.field ? { show_if: field.show_if } : {}),
          })),
        })),
        settings: {
          ...(props.form?.settings ?? {}),
          ...(success.trim() ? { success_message: success.trim() } : {}),
        },
      }
      if (props.form) await collectionsApi.updateForm(collection.name, props.form.id, body)
      else await collectionsApi.createForm(collection.name, body)
      setFlash(t('col.forms.saved', { title: body.title }))
      navigate(`/collections/${collection.name}/forms`)
    })
  }

  /** The fields before this one (a condition looks back, never ahead). */
  const earlier = (index: number, at: number) =>
    sections
      .slice(0, index + 1)
      .flatMap((section, place) =>
        (place === index ? section.fields.slice(0, at) : section.fields).map((field) => field.name)
      )

  return (
    <Page
      title={props.form ? t('col.forms.edit', { title: props.form.title }) : t('col.forms.new')}
    >
      <CollectionTabs name={collection.name} current="/forms" />
      <form onSubmit={submit} class="col-builder">
        <label for="form-title">
          {t('col.forms.formTitle')}
          <input
            id="form-title"
            value={title}
            required
            maxLength={120}
            onInput={(event) => setTitle(event.currentTarget.value)}
          />
        </label>
        <label for="form-slug">
          {t('col.forms.slug')}
          <input
            id="form-slug"
            value={slug}
            required
            pattern="[a-z0-9][a-z0-9\-]{1,59}"
            autoCapitalize="none"
            aria-describedby="form-slug-hint"
            onInput={(event) => setSlug(event.currentTarget.value)}
          />
          <small id="form-slug-hint">{t('col.forms.slugHint')}</small>
        </label>
        <label for="form-description">
          {t('col.description')}
          <textarea
            id="form-description"
            rows={2}
            value={description}
            onInput={(event) => setDescription(event.currentTarget.value)}
          />
        </label>
        <label for="form-public">
          <input
            id="form-public"
            type="checkbox"
            role="switch"
            checked={isPublic}
            aria-describedby="form-public-hint"
            onChange={(event) => setPublic(event.currentTarget.checked)}
          />
          {t('col.forms.public')}
        </label>
        <small id="form-public-hint" class="muted">
          {t('col.forms.publicHint')}
        </small>
        <label for="form-success">
          {t('col.forms.success')}
          <input
            id="form-success"
            value={success}
            maxLength={500}
            placeholder={t('col.forms.successDefault')}
            onInput={(event) => setSuccess(event.currentTarget.value)}
          />
        </label>
        {sections.map((section, index) => {
          const free = all.filter(([field]) => !used.has(field))
          return (
            <fieldset key={index} class="col-field">
              <legend>{t('col.forms.section', { number: index + 1 })}</legend>
              <label for={`section-${index}-title`}>
                {t('col.forms.sectionTitle')}
                <input
                  id={`section-${index}-title`}
                  value={section.title ?? ''}
                  onInput={(event) =>
                    setSection(index, { ...section, title: event.currentTarget.value })
                  }
                />
              </label>
              <ol class="col-form-fields">
                {section.fields.map((field, at) => {
                  const id = `section-${index}-field-${at}`
                  const label = labelOf(collection, field.name)
                  const before = earlier(index, at)
                  const condition = field.show_if?.field
                  const conditionSpec = condition ? collection.definition.fields[condition] : null
                  return (
                    <li key={field.name}>
                      <strong>{label}</strong> <code>{field.name}</code>
                      <div class="col-field-grid">
                        <label for={`${id}-label`}>
                          {t('col.forms.fieldLabel')}
                          <input
                            id={`${id}-label`}
                            value={field.label ?? ''}
                            placeholder={label}
                            onInput={(event) =>
                              setField(index, at, { ...field, label: event.currentTarget.value })
                            }
                          />
                        </label>
                        <label for={`${id}-help`}>
                          {t('col.forms.help')}
                          <input
                            id={`${id}-help`}
                            value={field.help ?? ''}
                            onInput={(event) =>
                              setField(index, at, { ...field, help: event.currentTarget.value })
                            }
                          />
                        </label>
                        <label for={`${id}-if`}>
                          {t('col.forms.showIf')}
                          <select
                            id={`${id}-if`}
                            value={condition ?? ''}
                            onChange={(event) => {
                              const chosen = event.currentTarget.value
                              const rest = { ...field }
                              delete rest.show_if
                              setField(
                                index,
                                at,
                                chosen ? { ...rest, show_if: { field: chosen, equals: '' } } : rest
                              )
                            }}
                          >
                            <option value="">{t('col.forms.always')}</option>
                            {before.map((candidate) => (
                              <option key={candidate} value={candidate}>
                                {labelOf(collection, candidate)}
                              </option>
                            ))}
                          </select>
                        </label>
                        {condition ? (
                          <label for={`${id}-equals`}>
                            {t('col.forms.equals', { field: labelOf(collection, condition) })}
                            {conditionSpec?.type === 'enum' ? (
                              <select
                                id={`${id}-equals`}
                                value={String(field.show_if?.equals ?? '')}
                                onChange={(event) =>
                                  setField(index, at, {
                                    ...field,
                                    show_if: {
                                      field: condition,
                                      equals: event.currentTarget.value,
                                    },
                                  })
                                }
                              >
                                <option value="">{t('col.choose')}</option>
                                {(conditionSpec.values ?? []).map((value) => (
                                  <option key={value} value={value}>
                                    {value}
                                  </option>
                                ))}
                              </select>
                            ) : conditionSpec?.type === 'boolean' ? (
                              <select
                                id={`${id}-equals`}
                                value={String(field.show_if?.equals ?? '')}
                                onChange={(event) =>
                                  setField(index, at, {
                                    ...field,
                                    show_if: {
                                      field: condition,
                                      equals: event.currentTarget.value === 'true',
                                    },
                                  })
                                }
                              >
                                <option value="true">{t('data.yes')}</option>
                                <option value="false">{t('data.no')}</option>
                              </select>
                            ) : (
                              <input
                                id={`${id}-equals`}
                                value={String(field.show_if?.equals ?? '')}
                                onInput={(event) =>
                                  setField(index, at, {
                                    ...field,
                                    show_if: {
                                      field: condition,
                                      equals: event.currentTarget.value,
                                    },
                                  })
                                }
                              />
                            )}
                          </label>
                        ) : null}
                      </div>
                      <div class="col-row-actions">
                        <button
                          type="button"
                          class="secondary outline"
                          disabled={at === 0}
                          aria-label={t('col.moveUpOf', { name: label })}
                          onClick={() =>
                            setSection(index, { ...section, fields: moved(section.fields, at, -1) })
                          }
                        >
                          {t('col.moveUp')}
                        </button>
                        <button
                          type="button"
                          class="secondary outline"
                          disabled={at === section.fields.length - 1}
                          aria-label={t('col.moveDownOf', { name: label })}
                          onClick={() =>
                            setSection(index, { ...section, fields: moved(section.fields, at, 1) })
                          }
                        >
                          {t('col.moveDown')}
                        </button>
                        <button
                          type="button"
                          class="secondary outline"
                          aria-label={t('col.removeOf', { name: label })}
                          onClick={() =>
                            setSection(index, {
                              ...section,
                              fields: section.fields.filter((_, place) => place !== at),
                            })
                          }
                        >
                          {t('col.remove')}
                        </button>
                      </div>
                    </li>
                  )
                })}
              </ol>
              {free.length ? (
                <label for={`section-${index}-add`}>
                  {t('col.forms.addField')}
                  <select
                    id={`section-${index}-add`}
                    value=""
                    onChange={(event) => {
                      const chosen = event.currentTarget.value
                      if (chosen)
                        setSection(index, {
                          ...section,
                          fields: [...section.fields, { name: chosen }],
                        })
                    }}
                  >
                    <option value="">{t('col.choose')}</option>
                    {free.map(([field]) => (
                      <option key={field} value={field}>
                        {labelOf(collection, field)}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              {sections.length > 1 ? (
                <button
                  type="button"
                  class="secondary outline"
                  onClick={() => setSections(sections.filter((_, place) => place !== index))}
                >
                  {t('col.forms.removeSection', { number: index + 1 })}
                </button>
              ) : null}
            </fieldset>
          )
        })}
        <button
          type="button"
          class="secondary"
          onClick={() => setSections([...sections, { title: '', fields: [] }])}
        >
          {t('col.forms.addSection')}
        </button>
        <Problem error={saving.error} />
        <RefusalDetails error={saving.error} />
        <button type="submit" disabled={saving.busy} aria-busy={saving.busy}>
          {t('col.forms.save')}
        </button>
      </form>
    </Page>
  )
}
