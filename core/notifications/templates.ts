import Mustache from 'mustache'
import app from '@adonisjs/core/services/app'
import type { NotificationTemplate } from '../plugins/define_plugin.js'
import {
  E_NOTIFICATION_DATA_MISSING,
  E_NOTIFICATION_TEMPLATE_INVALID,
  E_NOTIFICATION_TEMPLATE_UNKNOWN,
} from '../errors.js'

export const CHANNELS = ['email', 'sms', 'push', 'in_app'] as const
export type Channel = (typeof CHANNELS)[number]

/** A template as the notification service knows it: `core.<key>` or `<plugin>.<key>`. */
export type RegisteredTemplate = {
  key: string
  owner: string
  channels: Channel[]
  subject: string | null
  body: string
  description: string | null
  mandatory: boolean
  /** The top-level `{{variables}}` of subject and body: each must be given to notify(). */
  variables: string[]
}

/** Core's own templates. password_reset and invitation are mandatory: nobody can switch them off. */
const CORE_TEMPLATES: Record<string, NotificationTemplate> = {
  password_reset: {
    channels: ['email'],
    subject: 'Reset your password',
    body:
      'Someone asked to reset the password of {{email}}. Use this code within ' +
      '{{expires_in_minutes}} minutes: {{token}}. If it was not you, ignore this message.',
    description: 'A password reset code (always sent)',
    mandatory: true,
  },
  invitation: {
    channels: ['email'],
    subject: 'You are invited to {{institution}}',
    body:
      'Hello {{name}}, you have been invited to {{institution}} as {{email}}. Choose your password ' +
      'with this invitation code within {{expires_in_days}} days: {{token}}.',
    description: 'An invitation to a new account (always sent)',
    mandatory: true,
  },
  welcome_email: {
    channels: ['email', 'in_app'],
    subject: 'Welcome to {{institution}}',
    body: 'Hello {{name}}, your account at {{institution}} is ready.',
    description: 'Sent when an account is created',
  },
  webhook_disabled: {
    channels: ['email', 'in_app'],
    subject: 'A webhook endpoint was disabled',
    body:
      'The webhook endpoint {{url}} has failed every delivery since {{failing_since}} and was ' +
      'disabled. Fix the receiver, then enable it again and redeliver what it missed.',
    description: 'An outbound webhook endpoint kept failing and was disabled (tenant admins)',
  },
  report_ready: {
    channels: ['in_app', 'email'],
    subject: 'Your report "{{title}}" is ready',
    body:
      'Your scheduled report "{{title}}" ({{rows}} rows) is ready: {{url}} (the link works until ' +
      '{{expires_at}}; GET /api/v1/exports/{{export_id}} gives a fresh one).',
    description: 'A scheduled export is ready to download (docs/reports.md)',
  },
  report_digest: {
    channels: ['in_app', 'email'],
    subject: '{{title}}',
    body: '{{title}}, {{date}}: {{summary}}',
    description: 'A scheduled digest of the dashboard figures (docs/reports.md)',
  },
  collection_automation: {
    channels: ['in_app', 'email', 'push'],
    subject: '{{title}}',
    body: '{{body}}',
    description:
      'A notification a tenant admin wrote in a collection automation, its fields filled from the record (docs/collections.md)',
  },
}

type Token = [string, string, number, number, Token[]?]

/**
 * Parses a template in the logic-less Mustache language; partials and
 * delimiter changes are refused (nothing but the data given can end up in the
 * text). Returns the top-level variable names (`{{student.name}}` needs
 * `student`); names used only inside sections are optional.
 */
export function templateVariables(source: string): string[] {
  let tokens: Token[]
  try {
    tokens = Mustache.parse(source) as unknown as Token[]
  } catch (error) {
    throw new E_NOTIFICATION_TEMPLATE_INVALID([(error as Error).message])
  }
  const refuse = (list: Token[]) => {
    for (const token of list) {
      if (token[0] === '>' || token[0] === '=')
        throw new E_NOTIFICATION_TEMPLATE_INVALID([
          `"${token[0] === '>' ? '{{> partial}}' : '{{= delimiters =}}'}" is not allowed`,
        ])
      if (token[4]) refuse(token[4])
    }
  }
  refuse(tokens)
  const names = tokens
    .filter((token) => token[0] === 'name' || token[0] === '&')
    .map((token) => token[1].split('.')[0])
    .filter((name) => name !== '')
  return [...new Set(names)]
}

/** Plain text: values are inserted as they are (GNS and clients escape for their medium). */
export function renderTemplate(source: string, data: Record<string, unknown>) {
  return Mustache.render(source, data, {}, { escape: (value: unknown) => String(value) })
}

function register(owner: string, key: string, template: NotificationTemplate): RegisteredTemplate {
  const variables = [
    ...new Set([...templateVariables(template.subject ?? ''), ...templateVariables(template.body)]),
  ]
  return {
    key: `${owner}.${key}`,
    owner,
    channels: [...new Set(template.channels ?? ['email', 'in_app'])] as Channel[],
    subject: template.subject ?? null,
    body: template.body,
    description: template.description ?? null,
    mandatory: template.mandatory === true,
    variables,
  }
}

const coreTemplates = Object.entries(CORE_TEMPLATES).map(([key, template]) =>
  register('core', key, template)
)
const pluginTemplates = new Map<string, RegisteredTemplate[]>()

function ofPlugin(manifest: {
  name: string
  notifications?: Record<string, NotificationTemplate>
}) {
  let templates = pluginTemplates.get(manifest.name)
  if (!templates) {
    templates = Object.entries(manifest.notifications ?? {}).map(([key, template]) =>
      register(manifest.name, key, template)
    )
    pluginTemplates.set(manifest.name, templates)
  }
  return templates
}

/** Core's templates and those of the plugins the tenant enabled. */
export async function templatesOf(tenantId: string): Promise<RegisteredTemplate[]> {
  const host = await app.container.make('oryne.plugins')
  const manifests = await host.enabledManifests(tenantId)
  return [...coreTemplates, ...manifests.flatMap(ofPlugin)]
}

export async function findTemplate(tenantId: string, key: string) {
  const templates = await templatesOf(tenantId)
  const template = templates.find((candidate) => candidate.key === key)
  if (!template) throw new E_NOTIFICATION_TEMPLATE_UNKNOWN([key])
  return template
}

/** Throws ERR_NOTIFICATION_DATA_MISSING naming every variable `data` lacks. */
export function assertVariables(template: RegisteredTemplate, data: Record<string, unknown>) {
  const missing = template.variables.filter(
    (name) => data[name] === undefined || data[name] === null
  )
  if (missing.length)
    throw new E_NOTIFICATION_DATA_MISSING([template.key, missing.join(', ')], {
      details: missing.map((name) => ({ field: `data.${name}`, rule: 'required' })),
    })
}
