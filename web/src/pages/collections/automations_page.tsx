import { useState } from 'preact/hooks'
import { api } from '../../kit/api.js'
import { useI18n } from '../../kit/i18n.js'
import type { PageProps } from '../../kit/plugins.js'
import { Empty, Link, Loading, Notice, Page, Problem, useAction, useLoad } from '../../kit/ui.js'
import { collectionsApi, type Automation, type Collection } from './api.js'
import {
  CollectionTabs,
  fieldsOf,
  labelOf,
  RefusalDetails,
  SelectField,
  useCollection,
} from './shared.js'

/*
 * /collections/:name/automations: "when a record is created (or changed),
 * notify a role or a person, or call a webhook", each with its run log
 * (/collections/:name/automations/:id): status, attempts, error, and a retry.
 */

type Recipient = 'role' | 'user' | 'user_field'
type ActionKind = 'notify' | 'webhook' | 'set_field'
type TriggerKind = 'create' | 'update' | 'schedule'
type Every = 'hour' | 'day' | 'week'

/** A trigger and an action as a sentence. */
function summary(
  t: (key: string, values?: any) => string,
  collection: Collection,
  automation: Automation
) {
  const trigger = automation.trigger ?? {}
  const action = automation.action ?? {}
  const when =
    trigger.on === 'update'
      ? trigger.field
        ? t('col.auto.whenFieldChanges', { field: labelOf(collection, trigger.field) })
        : t('col.auto.whenUpdated')
      : trigger.on === 'schedule'
        ? t('col.auto.whenScheduled', { every: trigger.every ?? '', at: trigger.at ?? '' })
        : t('col.auto.whenCreated')
  const to = action.to ?? {}
  const what =
    action.type === 'notify'
      ? to.role
        ? t('col.auto.notifyRole', { role: to.role })
        : to.user_field
          ? t('col.auto.notifyField', { field: labelOf(collection, to.user_field) })
          : t('col.auto.notifyUser', { user: to.user_id ?? '' })
      : action.type === 'webhook'
        ? t('col.auto.callWebhook', { url: action.url ?? '' })
        : action.type === 'set_field'
          ? t('col.auto.setField', { field: labelOf(collection, action.field ?? '') })
          : t('col.auto.createRecord', { collection: action.collection ?? '' })
  return `${when} → ${what}`
}

export function CollectionAutomations(props: PageProps) {
  const { t } = useI18n()
  const name = props.params.name
  const collection = useCollection(name)
  const automations = useLoad(() => collectionsApi.automations(name), [name])
  if (collection.loading && !collection.data) return <Loading what={name} />
  if (!collection.data)
    return (
      <Page title={t('col.tab.automations')}>
        <Problem error={collection.error} />
      </Page>
    )
  return (
    <Page title={t('col.auto.title', { label: collection.data.label })}>
      <CollectionTabs name={name} current="/automations" />
      <Problem error={automations.error} />
      {automations.loading && !automations.data ? (
        <Loading what={t('col.tab.automations')} />
      ) : null}
      {automations.data ? (
        <AutomationList
          collection={collection.data}
          automations={automations.data}
          reload={automations.reload}
        />
      ) : null}
      <NewAutomation collection={collection.data} onCreated={automations.reload} />
    </Page>
  )
}

function AutomationList(props: {
  collection: Collection
  automations: Automation[]
  reload: () => Promise<unknown>
}) {
  const { t } = useI18n()
  const { collection } = props
  const changing = useAction()
  if (props.automations.length === 0) return <Empty text={t('col.auto.none')} />
  return (
    <>
      <Problem error={changing.error} />
      <ul class="col-list">
        {props.automations.map((automation) => (
          <li key={automation.id}>
            <article>
              <h2>{automation.name}</h2>
              <p>{summary(t, collection, automation)}</p>
              <label for={`enabled-${automation.id}`}>
                <input
                  id={`enabled-${automation.id}`}
                  type="checkbox"
                  role="switch"
                  checked={automation.enabled}
                  disabled={changing.busy}
                  onChange={(event) => {
                    const enabled = event.currentTarget.checked
                    changing.run(async () => {
                      await collectionsApi.updateAutomation(collection.name, automation.id, {
                        enabled,
                      })
                      await props.reload()
                    })
                  }}
                />
                {t('col.auto.enabled', { name: automation.name })}
              </label>
              <p class="col-row-actions">
                <Link to={`/collections/${collection.name}/automations/${automation.id}`}>
                  {t('col.auto.runLogOf', { name: automation.name })}
                </Link>
                <button
                  type="button"
                  class="secondary outline"
                  disabled={changing.busy}
                  aria-label={t('col.removeOf', { name: automation.name })}
                  onClick={() =>
                    changing.run(async () => {
                      await collectionsApi.removeAutomation(collection.name, automation.id)
                      await props.reload()
                    })
                  }
                >
                  {t('col.remove')}
                </button>
              </p>
            </article>
          </li>
        ))}
      </ul>
    </>
  )
}

/** "When a record is created → notify <role or user>" (or a webhook), with a title and message from the record. */
/** What the admin typed as a value, as the field takes it: empty is none, numbers and yes/no typed. */
function literalOf(collection: Collection, field: string, typed: string) {
  const type = collection.definition.fields[field]?.type
  const raw = typed.trim()
  if (raw === '') return null
  if (raw.includes('{{')) return raw
  if ((type === 'integer' || type === 'decimal') && !Number.isNaN(Number(raw))) return Number(raw)
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true'
  return raw
}

function NewAutomation(props: { collection: Collection; onCreated: () => Promise<unknown> }) {
  const i18n = useI18n()
  const { t } = i18n
  const { collection } = props
  const roles = useLoad(() => api<Array<{ name: string }>>('/api/v1/admin/roles'), [])
  const [name, setName] = useState('')
  const [on, setOn] = useState<TriggerKind>('create')
  const [every, setEvery] = useState<Every>('day')
  const [at, setAt] = useState('07:00')
  const [target, setTarget] = useState('')
  const [value, setValue] = useState('')
  const [field, setField] = useState('')
  const [kind, setKind] = useState<ActionKind>('notify')
  const [recipient, setRecipient] = useState<Recipient>('role')
  const [role, setRole] = useState('')
  const [userEmail, setUserEmail] = useState('')
  const [userField, setUserField] = useState('')
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const [url, setUrl] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const [secret, setSecret] = useState<string | null>(null)
  const saving = useAction()
  const fields = fieldsOf(collection)
  const fieldOptions = (list: typeof fields) =>
    list.map(([candidate]) => [candidate, labelOf(collection, candidate)] as [string, string])
  const userFields = fields.filter(
    ([, spec]) => spec.type === 'reference' && spec.target === 'core.users'
  )
  const placeholders = fields.map(([candidate]) => `{{${candidate}}}`).join(' ')

  const submit = (event: Event) => {
    event.preventDefault()
    saving.run(async () => {
      let to: Record<string, string> = {}
      if (kind !== 'notify') to = {}
      else if (recipient === 'role') to = { role }
      else if (recipient === 'user_field') to = { user_field: userField }
      else {
        // A person by email: the admin's user list finds their id.
        const found = await api<Array<{ id: string; email: string }>>('/api/v1/admin/users', {
          query: { q: userEmail.trim(), per_page: 5 },
        })
        const user = found.find(
          (candidate) => candidate.email.toLowerCase() === userEmail.trim().toLowerCase()
        )
        if (!user) throw new Error(t('col.auto.noSuchUser', { email: userEmail.trim() }))
        to = { user_id: user.id }
      }
      const action =
        kind === 'notify'
          ? { type: 'notify', to, title: title.trim(), body: body.trim() }
          : kind === 'set_field'
            ? { type: 'set_field', field: target, value: literalOf(collection, target, value) }
            : { type: 'webhook', url: url.trim() }
      const trigger =
        on === 'schedule'
          ? { on, every, ...(every === 'hour' ? {} : { at }) }
          : on === 'update' && field
            ? { on, field }
            : { on }
      const created = await collectionsApi.createAutomation(collection.name, {
        name: name.trim(),
        trigger,
        action,
        enabled: true,
      })
      // A webhook's signing secret is answered once: shown now, never again.
      setSecret(created.secret ?? null)
      setName('')
      setTitle('')
      setBody('')
      setNotice(t('col.auto.created', { name: name.trim() }))
      await props.onCreated()
    })
  }

  return (
    <section aria-labelledby="new-automation" class="col-new-automation">
      <h2 id="new-automation">{t('col.auto.new')}</h2>
      <Notice text={notice} />
      {secret ? (
        <p class="col-secret">
          {t('col.auto.secret')} <code>{secret}</code>
        </p>
      ) : null}
      <form onSubmit={submit} class="col-builder">
        <label for="auto-name">
          {t('col.auto.name')}
          <input
            id="auto-name"
            value={name}
            required
            maxLength={120}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <SelectField
          id="auto-on"
          label={t('col.auto.when')}
          value={on}
          onChange={(chosen) => setOn(chosen as TriggerKind)}
          options={[
            ['create', t('col.auto.onCreate')],
            ['update', t('col.auto.onUpdate')],
            ['schedule', t('col.auto.onSchedule')],
          ]}
        />
        {on === 'schedule' ? (
          <>
            <SelectField
              id="auto-every"
              label={t('col.auto.every')}
              value={every}
              onChange={(chosen) => setEvery(chosen as Every)}
              options={[
                ['hour', t('col.auto.everyHour')],
                ['day', t('col.auto.everyDay')],
                ['week', t('col.auto.everyWeek')],
              ]}
            />
            {every === 'hour' ? null : (
              <label for="auto-at">
                {t('col.auto.atTime')}
                <input
                  id="auto-at"
                  type="time"
                  value={at}
                  required
                  aria-describedby="auto-at-hint"
                  onInput={(event) => setAt(event.currentTarget.value)}
                />
                <small id="auto-at-hint">{t('app.timeZone', { zone: i18n.timeZone })}</small>
              </label>
            )}
          </>
        ) : null}
        {on === 'update' ? (
          <SelectField
            id="auto-field"
            label={t('col.auto.onlyField')}
            value={field}
            onChange={setField}
            options={[['', t('col.auto.anyField')], ...fieldOptions(fields)]}
          />
        ) : null}
        <SelectField
          id="auto-kind"
          label={t('col.auto.then')}
          value={kind}
          onChange={(chosen) => setKind(chosen as ActionKind)}
          options={[
            ['notify', t('col.auto.doNotify')],
            ['webhook', t('col.auto.doWebhook')],
            ['set_field', t('col.auto.doSetField')],
          ]}
        />
        {kind === 'set_field' ? (
          <>
            <SelectField
              id="auto-target"
              label={t('col.auto.targetField')}
              value={target}
              required
              onChange={setTarget}
              options={[['', t('col.choose')], ...fieldOptions(fields)]}
            />
            <label for="auto-value">
              {t('col.auto.value')}
              <input
                id="auto-value"
                value={value}
                aria-describedby="auto-value-hint"
                onInput={(event) => setValue(event.currentTarget.value)}
              />
              <small id="auto-value-hint">{t('col.auto.valueHint')}</small>
            </label>
          </>
        ) : null}
        {kind === 'notify' ? (
          <>
            <SelectField
              id="auto-recipient"
              label={t('col.auto.recipient')}
              value={recipient}
              onChange={(chosen) => setRecipient(chosen as Recipient)}
              options={[
                ['role', t('col.auto.toRole')],
                ['user', t('col.auto.toUser')],
                ...(userFields.length
                  ? [['user_field', t('col.auto.toField')] as [string, string]]
                  : []),
              ]}
            />
            {recipient === 'role' ? (
              <SelectField
                id="auto-role"
                label={t('col.auto.role')}
                value={role}
                required
                onChange={setRole}
                options={[
                  ['', t('col.choose')],
                  ...(roles.data ?? []).map(
                    (candidate) => [candidate.name, candidate.name] as [string, string]
                  ),
                ]}
              />
            ) : recipient === 'user' ? (
              <label for="auto-user">
                {t('col.auto.userEmail')}
                <input
                  id="auto-user"
                  type="email"
                  value={userEmail}
                  required
                  onInput={(event) => setUserEmail(event.currentTarget.value)}
                />
              </label>
            ) : (
              <SelectField
                id="auto-user-field"
                label={t('col.auto.userField')}
                value={userField}
                required
                onChange={setUserField}
                options={[['', t('col.choose')], ...fieldOptions(userFields)]}
              />
            )}
            <label for="auto-title">
              {t('col.auto.messageTitle')}
              <input
                id="auto-title"
                value={title}
                required
                maxLength={200}
                aria-describedby="auto-placeholders"
                onInput={(event) => setTitle(event.currentTarget.value)}
              />
            </label>
            <label for="auto-body">
              {t('col.auto.messageBody')}
              <textarea
                id="auto-body"
                rows={3}
                required
                maxLength={2000}
                value={body}
                aria-describedby="auto-placeholders"
                onInput={(event) => setBody(event.currentTarget.value)}
              />
            </label>
            <small id="auto-placeholders">
              {t('col.auto.placeholders', { list: placeholders })}
            </small>
          </>
        ) : kind === 'webhook' ? (
          <label for="auto-url">
            {t('col.auto.url')}
            <input
              id="auto-url"
              type="url"
              value={url}
              required
              onInput={(event) => setUrl(event.currentTarget.value)}
            />
          </label>
        ) : null}
        <Problem error={saving.error ?? roles.error} />
        <RefusalDetails error={saving.error} />
        <button type="submit" disabled={saving.busy} aria-busy={saving.busy}>
          {t('col.auto.save')}
        </button>
      </form>
    </section>
  )
}

/** /collections/:name/automations/:id: the run log, newest first, with a retry of a failed run. */
export function AutomationRuns(props: PageProps) {
  const i18n = useI18n()
  const { t, number } = i18n
  const { name, id } = props.params
  const automation = useLoad(async () => {
    const all = await collectionsApi.automations(name)
    return all.find((candidate) => String(candidate.id) === id) ?? null
  }, [name, id])
  const runs = useLoad(() => collectionsApi.runs(name, id), [name, id])
  const retrying = useAction()
  const [notice, setNotice] = useState<string | null>(null)
  const title = automation.data?.name ?? `#${id}`
  return (
    <Page title={t('col.auto.runLogOf', { name: title })}>
      <CollectionTabs name={name} current="/automations" />
      <p>
        <Link to={`/collections/${name}/automations`}>{t('col.auto.back')}</Link>
      </p>
      <Notice text={notice} />
      <Problem error={runs.error ?? automation.error ?? retrying.error} />
      <button type="button" class="secondary" onClick={() => runs.reload()} disabled={runs.loading}>
        {t('col.auto.refresh')}
      </button>
      {runs.loading && !runs.data ? <Loading what={title} /> : null}
      {runs.data && runs.data.length === 0 ? <Empty text={t('col.auto.noRuns')} /> : null}
      {runs.data && runs.data.length > 0 ? (
        <div class="data-scroll" role="region" aria-label={t('col.auto.runs')} tabIndex={0}>
          <table class="striped">
            <thead>
              <tr>
                <th scope="col">{t('col.auto.at')}</th>
                <th scope="col">{t('col.auto.event')}</th>
                <th scope="col">{t('col.auto.record')}</th>
                <th scope="col">{t('col.auto.status')}</th>
                <th scope="col">{t('col.auto.attempts')}</th>
                <th scope="col">{t('col.auto.error')}</th>
                <th scope="col">{t('col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((run) => (
                <tr key={run.id}>
                  <td>{i18n.dateTime(run.created_at)}</td>
                  <td>
                    <code>{run.event}</code>
                  </td>
                  <td>
                    {run.record_id ? (
                      <Link to={`/data/collections/${name}/${run.record_id}`}>
                        #{run.record_id}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <span class={`col-status ${run.status}`}>{t(`col.run.${run.status}`)}</span>
                  </td>
                  <td>{number(run.attempts)}</td>
                  <td>{run.error ?? ''}</td>
                  <td>
                    {run.status === 'failed' ? (
                      <button
                        type="button"
                        class="secondary outline"
                        disabled={retrying.busy}
                        aria-label={t('col.auto.retryOf', { id: run.id })}
                        onClick={() =>
                          retrying.run(async () => {
                            await collectionsApi.retry(name, id, run.id)
                            setNotice(t('col.auto.retried', { id: run.id }))
                            await runs.reload()
                          })
                        }
                      >
                        {t('col.auto.retry')}
                      </button>
                    ) : null}
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
