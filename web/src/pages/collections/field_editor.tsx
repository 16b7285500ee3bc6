import { useEffect, useState } from 'preact/hooks'
import { useI18n } from '../../kit/i18n.js'
import { resourceViews } from '../../data/resources.js'
import { collectionsApi, FIELD_TYPES, type FieldSpec, type FieldType } from './api.js'
import { fieldNameOf } from './names.js'

/** A field being edited: its name, its spec, enum values as typed (one a line). */
export type FieldDraft = {
  key: number
  name: string
  /** The name follows the label until the admin types one. */
  autoName: boolean
  spec: FieldSpec
  values: string
}

let keys = 0

export function newDraft(name = '', spec: FieldSpec = { type: 'string' }): FieldDraft {
  return {
    key: ++keys,
    name,
    autoName: name === '',
    spec,
    values: (spec.values ?? []).join('\n'),
  }
}

/** The spec a draft stands for: enum values from the lines typed, only the keys its type uses. */
export function specOf(draft: FieldDraft): FieldSpec {
  const spec: FieldSpec = { ...draft.spec }
  if (spec.type === 'enum')
    spec.values = draft.values
      .split(/\n|,/)
      .map((value) => value.trim())
      .filter(Boolean)
  else delete spec.values
  if (spec.type !== 'reference') {
    delete spec.target
    delete spec.on_delete
  }
  if (!spec.label) delete spec.label
  if (!spec.required) delete spec.required
  if (!spec.personal) delete spec.personal
  return spec
}

/** What a reference may point at: users, the plugin resources the admin may list, other collections. */
export function useTargets(except?: string) {
  const [targets, setTargets] = useState<string[]>(['core.users'])
  useEffect(() => {
    Promise.all([resourceViews().catch(() => []), collectionsApi.list().catch(() => [])]).then(
      ([views, collections]) => {
        const found = new Set<string>(['core.users'])
        for (const view of views) found.add(view.key)
        for (const collection of collections)
          if (collection.name !== except) found.add(`collections.${collection.name}`)
        setTargets([...found])
      }
    )
  }, [except])
  return targets
}

/** One field of the builder: name, label, type, required, enum values, reference target, personal. */
export function FieldEditor(props: {
  draft: FieldDraft
  index: number
  count: number
  targets: string[]
  /** The name cannot change here (a rename is its own change). */
  fixedName?: boolean
  onChange: (draft: FieldDraft) => void
  onMove?: (delta: number) => void
  onRemove?: () => void
}) {
  const { t } = useI18n()
  const { draft } = props
  const id = `field-${draft.key}`
  const set = (change: Partial<FieldSpec>) =>
    props.onChange({ ...draft, spec: { ...draft.spec, ...change } })
  const shown = draft.spec.label || draft.name || t('col.field.unnamed')
  return (
    <fieldset class="col-field">
      <legend>{t('col.field.legend', { number: props.index + 1, name: shown })}</legend>
      <div class="col-field-grid">
        <label for={`${id}-label`}>
          {t('col.field.label')}
          <input
            id={`${id}-label`}
            value={draft.spec.label ?? ''}
            maxLength={120}
            onInput={(event) => {
              const label = event.currentTarget.value
              props.onChange({
                ...draft,
                spec: { ...draft.spec, label },
                name:
                  draft.autoName && !props.fixedName
                    ? fieldNameOf(label, draft.spec.type)
                    : draft.name,
              })
            }}
          />
        </label>
        <label for={`${id}-name`}>
          {t('col.field.name')}
          <input
            id={`${id}-name`}
            value={draft.name}
            required
            readOnly={props.fixedName}
            pattern="[a-z][a-z0-9_]{0,39}"
            autoCapitalize="none"
            aria-describedby={`${id}-name-hint`}
            onInput={(event) =>
              props.onChange({ ...draft, name: event.currentTarget.value, autoName: false })
            }
          />
          <small id={`${id}-name-hint`}>{t('col.field.nameHint')}</small>
        </label>
        <label for={`${id}-type`}>
          {t('col.field.type')}
          <select
            id={`${id}-type`}
            value={draft.spec.type}
            onChange={(event) => {
              const type = event.currentTarget.value as FieldType
              props.onChange({
                ...draft,
                spec: { ...draft.spec, type },
                name:
                  draft.autoName && !props.fixedName
                    ? fieldNameOf(draft.spec.label ?? '', type)
                    : draft.name,
              })
            }}
          >
            {FIELD_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`col.type.${type}`)}
              </option>
            ))}
          </select>
        </label>
        {draft.spec.type === 'enum' ? (
          <label for={`${id}-values`}>
            {t('col.field.values')}
            <textarea
              id={`${id}-values`}
              rows={3}
              required
              value={draft.values}
              aria-describedby={`${id}-values-hint`}
              onInput={(event) => props.onChange({ ...draft, values: event.currentTarget.value })}
            />
            <small id={`${id}-values-hint`}>{t('col.field.valuesHint')}</small>
          </label>
        ) : null}
        {draft.spec.type === 'reference' ? (
          <label for={`${id}-target`}>
            {t('col.field.target')}
            <select
              id={`${id}-target`}
              required
              value={draft.spec.target ?? ''}
              onChange={(event) => set({ target: event.currentTarget.value })}
            >
              <option value="">{t('col.choose')}</option>
              {props.targets.map((target) => (
                <option key={target} value={target}>
                  {target === 'core.users' ? t('col.target.users') : target}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <div class="col-field-flags">
        <label for={`${id}-required`}>
          <input
            id={`${id}-required`}
            type="checkbox"
            role="switch"
            checked={draft.spec.required === true}
            onChange={(event) => set({ required: event.currentTarget.checked })}
          />
          {t('col.field.required')}
        </label>
        <label for={`${id}-personal`}>
          <input
            id={`${id}-personal`}
            type="checkbox"
            role="switch"
            checked={Boolean(draft.spec.personal)}
            onChange={(event) =>
              set({
                personal: event.currentTarget.checked
                  ? draft.spec.type === 'reference' && draft.spec.target === 'core.users'
                    ? 'subject'
                    : true
                  : undefined,
              })
            }
          />
          {t('col.field.personal')}
        </label>
      </div>
      {props.onMove || props.onRemove ? (
        <div class="col-row-actions">
          {props.onMove ? (
            <>
              <button
                type="button"
                class="secondary outline"
                disabled={props.index === 0}
                aria-label={t('col.moveUpOf', { name: shown })}
                onClick={() => props.onMove!(-1)}
              >
                {t('col.moveUp')}
              </button>
              <button
                type="button"
                class="secondary outline"
                disabled={props.index === props.count - 1}
                aria-label={t('col.moveDownOf', { name: shown })}
                onClick={() => props.onMove!(1)}
              >
                {t('col.moveDown')}
              </button>
            </>
          ) : null}
          {props.onRemove ? (
            <button
              type="button"
              class="secondary outline"
              aria-label={t('col.removeOf', { name: shown })}
              onClick={props.onRemove}
            >
              {t('col.remove')}
            </button>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  )
}

/** Moves the item at `index` by `delta` places (a reorder by buttons, not dragging). */
export function moved<T>(list: T[], index: number, delta: number) {
  const next = [...list]
  const [item] = next.splice(index, 1)
  next.splice(Math.max(0, Math.min(next.length, index + delta)), 0, item)
  return next
}
