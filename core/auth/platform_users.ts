import { E_USER_EMAIL_TAKEN } from '../errors.js'
import { assertPasswordPolicy } from './password_policy.js'
import { hashPassword } from './passwords.js'
import type { PlatformAccounts } from './platform_accounts.js'
import { presentAccount } from './types.js'
import { isUniqueViolation } from '../resources/unique_violation.js'

/** What `oryne platform-admin` does with platform users. */
export class PlatformUsers {
  constructor(private accounts: PlatformAccounts) {}

  /** Creates a platform admin who signs in at /api/v1/platform/auth/login. */
  async create(input: { email: string; name?: string; password: string }) {
    assertPasswordPolicy(input.password, { email: input.email })
    const passwordHash = await hashPassword(input.password)
    try {
      const account = await this.accounts.run(async (trx) => {
        if (await this.accounts.findByEmail(trx, input.email)) {
          throw new E_USER_EMAIL_TAKEN([input.email])
        }
        return this.accounts.create(trx, {
          email: input.email,
          name: input.name || input.email.split('@')[0],
          passwordHash,
        })
      })
      return presentAccount(account)
    } catch (error) {
      if (isUniqueViolation(error)) throw new E_USER_EMAIL_TAKEN([input.email])
      throw error
    }
  }
}
