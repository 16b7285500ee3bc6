import type { Command } from 'commander'
import type { Tenant } from '#core/tenancy/types'
import { cliActor } from '../actor.js'
import { passwordInput } from '../password_input.js'
import { confirmed, confirmationOption, type Confirmation } from '../confirm.js'
import { printJson, printTable } from '../output.js'
import { withRuntime, type Runtime } from '../runtime.js'

type UserView = {
  email: string
  name: string
  status: string
  roles: string[]
  last_login_at: Date | string | null
}

/**
 * Runs `fn` in the tenant's context, for `--tenant <slug>`. The tenant's
 * schema must exist: a tenant still provisioning (or whose provisioning
 * failed) is refused; suspended and archived ones can still be managed.
 */
export async function inTenant<T>(
  runtime: Runtime,
  slug: string,
  fn: (tenant: Tenant) => Promise<T>
) {
  const { tenantContext } = await import('#core/tenancy/context')
  const { E_TENANT_NOT_READY } = await import('#core/errors')
  const tenancy = await runtime.app.container.make('oryne.tenancy')
  const tenant = await tenancy.registry.findOrFail(slug)
  if (tenant.status === 'provisioning' || tenant.status === 'failed') {
    throw new E_TENANT_NOT_READY([tenant.slug, tenant.status])
  }
  return tenantContext.run(tenant, () => fn(tenant))
}

const when = (value: Date | string | null) =>
  value instanceof Date ? value.toISOString() : (value ?? '')

function printUser(user: UserView, extra: Array<[string, string]> = []) {
  printTable(
    ['field', 'value'],
    [
      ['email', user.email],
      ['name', user.name],
      ['status', user.status],
      ['roles', user.roles.join(', ')],
      ['last sign-in', when(user.last_login_at)],
      ...extra,
    ]
  )
}

type TenantOptions = { tenant: string; json?: boolean }

export function registerUser(program: Command) {
  const user = program
    .command('user')
    .description(
      'create, list, disable and enable a tenant’s users; reset their passwords; export or erase their personal data'
    )

  user
    .command('create')
    .description(
      'create a user with a role: active with a password (--password-stdin, or typed at a terminal), else invited (the invite token is printed)'
    )
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--email <email>', 'the user’s email (their sign-in name)')
    .requiredOption(
      '--role <role>',
      'a role of the tenant: TenantAdmin, Teacher, Student, Parent, Staff, ...'
    )
    .option('--name <name>', 'display name (default: the email’s name part)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print JSON')
    .action(
      async (
        options: TenantOptions & {
          email: string
          role: string
          name?: string
          passwordStdin?: boolean
        }
      ) => {
        const { createUserValidator } = await import('#core/auth/validators')
        const { assertPasswordPolicy } = await import('#core/auth/password_policy')
        const input = await createUserValidator.validate({
          email: options.email,
          name: options.name,
          role: options.role,
        })
        const password = await passwordInput({
          passwordStdin: options.passwordStdin,
          optional: 'invite the user instead',
        })
        if (password !== undefined) assertPasswordPolicy(password, { email: input.email })
        await withRuntime(async (runtime) => {
          const { identity } = await import('#core/auth/identity')
          const { user: created, inviteToken } = await inTenant(runtime, options.tenant, () =>
            identity.tenantUsers.create({ ...input, password }, { actor: cliActor() })
          )
          if (options.json) {
            return printJson(inviteToken ? { ...created, invite_token: inviteToken } : created)
          }
          printUser(created, inviteToken ? [['invite token', inviteToken]] : [])
          if (inviteToken) {
            process.stdout.write(
              'The invite token is shown once and is valid for 7 days: the user sets a password with it at POST /api/v1/auth/invite/accept.\n'
            )
          }
        })
      }
    )

  user
    .command('list')
    .description('the tenant’s users with their roles and status')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--json', 'print JSON')
    .action(async (options: TenantOptions) => {
      await withRuntime(async (runtime) => {
        const { identity } = await import('#core/auth/identity')
        const users = await inTenant(runtime, options.tenant, () => identity.tenantUsers.list())
        if (options.json) return printJson(users)
        printTable(
          ['email', 'name', 'status', 'roles', 'last sign-in'],
          users.map((u) => [u.email, u.name, u.status, u.roles.join(', '), when(u.last_login_at)])
        )
      })
    })

  for (const [action, description] of [
    ['disable', 'refuse the user’s sign-ins and end their sessions now'],
    ['enable', 'let a disabled user sign in again'],
  ] as const) {
    user
      .command(action)
      .description(description)
      .requiredOption('--tenant <slug>', 'the tenant')
      .requiredOption('--email <email>', 'the user’s email')
      .option('--json', 'print JSON')
      .action(async (options: TenantOptions & { email: string }) => {
        const { userEmailValidator } = await import('#core/auth/validators')
        const { email } = await userEmailValidator.validate({ email: options.email })
        await withRuntime(async (runtime) => {
          const { identity } = await import('#core/auth/identity')
          const changed = await inTenant(runtime, options.tenant, () =>
            identity.tenantUsers.setDisabled(email, action === 'disable', { actor: cliActor() })
          )
          if (options.json) printJson(changed)
          else process.stdout.write(`User "${changed.email}" is ${changed.status}.\n`)
        })
      })
  }

  user
    .command('reset-password')
    .description(
      'set a user’s password (--password-stdin, or typed at a terminal) and end their sessions; without one, print a reset token'
    )
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--email <email>', 'the user’s email')
    .option('--password-stdin', 'read the new password from standard input')
    .option('--json', 'print JSON')
    .action(async (options: TenantOptions & { email: string; passwordStdin?: boolean }) => {
      const { userEmailValidator } = await import('#core/auth/validators')
      const { assertPasswordPolicy } = await import('#core/auth/password_policy')
      const { email } = await userEmailValidator.validate({ email: options.email })
      const password = await passwordInput({
        passwordStdin: options.passwordStdin,
        optional: 'print a reset token instead',
      })
      if (password !== undefined) assertPasswordPolicy(password, { email })
      await withRuntime(async (runtime) => {
        const { identity } = await import('#core/auth/identity')
        await inTenant(runtime, options.tenant, async () => {
          if (password !== undefined) {
            const changed = await identity.tenantUsers.setPassword(email, password, {
              actor: cliActor(),
            })
            if (options.json) return printJson(changed)
            process.stdout.write(
              `Password of "${changed.email}" changed; their sessions have ended.\n`
            )
            return
          }
          const { kind, token } = await identity.tenantUsers.issueRecovery(email, {
            actor: cliActor(),
          })
          const found = await identity.tenantUsers.find(email)
          if (options.json) return printJson({ ...found, [`${kind}_token`]: token })
          printUser(found, [[`${kind} token`, token]])
          process.stdout.write(
            kind === 'reset'
              ? 'The reset token is shown once and is valid for 1 hour: the user sets a new password with it at POST /api/v1/auth/password-reset/confirm.\n'
              : 'The user has not accepted their invitation: this new invite token (shown once, valid for 7 days) replaces the old one; the user accepts it at POST /api/v1/auth/invite/accept.\n'
          )
        })
      })
    })
  user
    .command('export')
    .description(
      'print a user’s personal data across core and every enabled plugin, as one JSON archive'
    )
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--email <email>', 'the user’s email')
    .option('--json', 'print JSON (the archive is JSON either way)')
    .action(async (options: TenantOptions & { email: string }) => {
      const { userEmailValidator } = await import('#core/auth/validators')
      const { email } = await userEmailValidator.validate({ email: options.email })
      await withRuntime(async (runtime) => {
        const { identity } = await import('#core/auth/identity')
        const { personalData } = await import('#core/auth/personal_data')
        await runtime.app.container.make('oryne.plugins')
        const archive = await inTenant(runtime, options.tenant, async () => {
          const found = await identity.tenantUsers.find(email)
          return personalData.export(found.id, { actor: cliActor() })
        })
        printJson(archive)
      })
    })

  const erase = user
    .command('erase')
    .description(
      'anonymise a user (email, name, sessions, MFA; plugins erase theirs) and disable them; records that must stay are kept'
    )
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--email <email>', 'the user’s email')
  confirmationOption(erase, 'confirm the erasure')
    .option('--json', 'print JSON')
    .action(async (options: TenantOptions & Confirmation & { email: string }) => {
      const { userEmailValidator } = await import('#core/auth/validators')
      const { E_CONFIRMATION_REQUIRED } = await import('#core/errors')
      const { email } = await userEmailValidator.validate({ email: options.email })
      const erasureConfirmed = await confirmed(options, {
        message: `Erasing "${email}" anonymises the account for good.`,
        expected: email,
        normalize: (typed) => typed.trim().toLowerCase(),
      })
      if (!erasureConfirmed) {
        throw new E_CONFIRMATION_REQUIRED([`Erasing "${email}" cannot be undone`], {
          hint: 'Pass --yes, or type the email at the prompt of a terminal.',
        })
      }
      await withRuntime(async (runtime) => {
        const { identity } = await import('#core/auth/identity')
        const { personalData } = await import('#core/auth/personal_data')
        await runtime.app.container.make('oryne.plugins')
        const erased = await inTenant(runtime, options.tenant, async () => {
          const found = await identity.tenantUsers.find(email)
          return personalData.erase(found.id, { actor: cliActor() })
        })
        if (options.json) return printJson(erased)
        process.stdout.write(
          `User ${erased.id} ("${email}") is erased: anonymised, disabled, sessions ended.\n`
        )
      })
    })
}
