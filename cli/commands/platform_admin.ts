import type { Command } from 'commander'
import { passwordInput } from '../password_input.js'
import { printJson, printTable } from '../output.js'
import { withRuntime } from '../runtime.js'

export function registerPlatformAdmin(program: Command) {
  const platformAdmin = program
    .command('platform-admin')
    .description('platform users, who sign in at /api/v1/platform/auth/login')

  platformAdmin
    .command('create')
    .description(
      'create a platform admin; the password is piped with --password-stdin or typed at a terminal'
    )
    .requiredOption('--email <email>', 'the admin’s email (their sign-in name)')
    .option('--name <name>', 'display name (default: the email’s name part)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { email: string; name?: string; passwordStdin?: boolean; json?: boolean },
        command: Command
      ) => {
        const { createPlatformAdminValidator } = await import('#core/auth/validators')
        const password = await passwordInput({ passwordStdin: options.passwordStdin })
        if (password === undefined) {
          command.error(
            'error: a password is needed: pipe it with --password-stdin, or run at a terminal',
            { exitCode: 2, code: 'oryne.passwordRequired' }
          )
        }
        const input = await createPlatformAdminValidator.validate({
          email: options.email,
          name: options.name,
          password,
        })
        await withRuntime(async () => {
          const { identity } = await import('#core/auth/identity')
          const created = await identity.platformUsers.create(input)
          if (options.json) return printJson(created)
          printTable(
            ['field', 'value'],
            [
              ['email', created.email],
              ['name', created.name],
              ['roles', created.roles.join(', ')],
            ]
          )
        })
      }
    )
}
