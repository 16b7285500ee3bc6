import type { OryneErrorClass } from '../oryne_error.js'
import { describeOperations, type OperationDoc } from '../openapi/operations.js'
import { ref, type JsonSchema } from '../openapi/schemas.js'
import {
  E_AUTH_ACCOUNT_DISABLED,
  E_AUTH_INVALID_CREDENTIALS,
  E_AUTH_INVALID_TOKEN,
  E_AUTH_INVITE_INVALID,
  E_AUTH_MFA_CHALLENGE_INVALID,
  E_AUTH_MFA_INVALID,
  E_AUTH_REQUIRED,
  E_AUTH_RESET_TOKEN_INVALID,
  E_AUTH_SESSION_ENDED,
  E_AUTH_TOKEN_EXPIRED,
  E_AUTH_TOKEN_REUSED,
  E_MFA_ALREADY_ENABLED,
  E_MFA_NOT_ENABLED,
} from './errors.js'
import {
  changePasswordValidator,
  inviteAcceptValidator,
  loginWithCodeValidator,
  logoutValidator,
  mfaCodeValidator,
  mfaLoginValidator,
  passwordResetConfirmValidator,
  passwordResetValidator,
  refreshValidator,
} from './validators.js'

/* The identity routes (core/auth/routes.ts), in both realms. */

const signedIn: JsonSchema = { oneOf: [ref('TokenPair'), ref('MfaChallenge')] }
const flag = (name: string): JsonSchema => ({
  type: 'object',
  properties: { [name]: { const: true } },
  required: [name],
})

/** The sign-in routes of one realm (`/api/v1/auth` or `/api/v1/platform/auth`). */
function sessionRoutes(prefix: string, who: string, tag: string): Record<string, OperationDoc> {
  const failures: OryneErrorClass[] = [E_AUTH_INVALID_CREDENTIALS, E_AUTH_ACCOUNT_DISABLED]
  return {
    [`POST ${prefix}/login`]: {
      summary: `Sign in (${who})`,
      description:
        'Email and password (and `otp` when MFA is on) for an access token and a refresh token. ' +
        'Accounts with MFA and no `otp` get an MFA challenge to complete at `/login/mfa`. ' +
        'Failed attempts are limited per address and email (docs/api.md, "Rate limits").',
      tags: [tag],
      security: [],
      body: loginWithCodeValidator,
      data: signedIn,
      errors: [...failures, E_AUTH_MFA_INVALID],
    },
    [`POST ${prefix}/login/mfa`]: {
      summary: 'Complete a sign-in with an MFA code',
      tags: [tag],
      security: [],
      body: mfaLoginValidator,
      data: ref('TokenPair'),
      errors: [E_AUTH_MFA_INVALID, E_AUTH_MFA_CHALLENGE_INVALID, E_AUTH_ACCOUNT_DISABLED],
    },
    [`POST ${prefix}/refresh`]: {
      summary: 'Renew the tokens',
      description:
        'Trades a refresh token for a new pair; the old one stops working. Reusing a rotated ' +
        'token revokes the whole session.',
      tags: [tag],
      security: [],
      body: refreshValidator,
      data: ref('TokenPair'),
      errors: [
        E_AUTH_INVALID_TOKEN,
        E_AUTH_TOKEN_EXPIRED,
        E_AUTH_TOKEN_REUSED,
        E_AUTH_SESSION_ENDED,
        E_AUTH_ACCOUNT_DISABLED,
      ],
    },
    [`POST ${prefix}/logout`]: {
      summary: 'Sign out',
      description:
        'Ends the session of the refresh token sent, or else of the bearer access token.',
      tags: [tag],
      security: [],
      body: logoutValidator,
      data: flag('signed_out'),
      // Neither a refresh token nor a valid bearer token: nothing to end.
      errors: [E_AUTH_REQUIRED, E_AUTH_INVALID_TOKEN, E_AUTH_TOKEN_EXPIRED],
    },
    [`GET ${prefix}/me`]: {
      summary: 'The signed-in user',
      tags: [tag],
      data: ref('CurrentUser'),
    },
  }
}

/* Two-step verification of the signed-in account, in both realms (docs/auth.md, "MFA"). */
function mfaRoutes(prefix: string, tag: string): Record<string, OperationDoc> {
  const status: JsonSchema = { type: 'object', properties: { enabled: { type: 'boolean' } } }
  return {
    [`GET ${prefix}/mfa`]: {
      summary: 'Whether two-step verification is on for your account',
      tags: [tag],
      data: status,
    },
    [`POST ${prefix}/mfa/enroll`]: {
      summary: 'Start enrolling an authenticator app',
      description:
        'Answers the secret and its `otpauth://` URI (for a QR code); nothing changes until `/mfa/confirm`.',
      tags: [tag],
      status: 201,
      data: { type: 'object' },
      errors: [E_MFA_ALREADY_ENABLED],
    },
    [`POST ${prefix}/mfa/confirm`]: {
      summary: 'Turn two-step verification on with a first code',
      description: 'Answers the one-time recovery codes: shown once.',
      tags: [tag],
      body: mfaCodeValidator,
      data: { type: 'object' },
      errors: [E_AUTH_MFA_INVALID, E_MFA_ALREADY_ENABLED, E_MFA_NOT_ENABLED],
    },
    [`POST ${prefix}/mfa/recovery-codes`]: {
      summary: 'Replace the recovery codes (a current code required)',
      tags: [tag],
      body: mfaCodeValidator,
      data: { type: 'object' },
      errors: [E_AUTH_MFA_INVALID, E_MFA_NOT_ENABLED],
    },
    [`POST ${prefix}/mfa/disable`]: {
      summary: 'Turn two-step verification off (a current code required)',
      tags: [tag],
      body: mfaCodeValidator,
      data: { type: 'object' },
      errors: [E_AUTH_MFA_INVALID, E_MFA_NOT_ENABLED],
    },
  }
}

describeOperations({
  ...sessionRoutes('/api/v1/auth', 'tenant user', 'Auth'),
  ...sessionRoutes('/api/v1/platform/auth', 'platform user', 'Platform: auth'),
  'POST /api/v1/auth/password': {
    summary: 'Change the password',
    description: 'Every session of the user ends; a new one is returned.',
    tags: ['Auth'],
    body: changePasswordValidator,
    data: ref('TokenPair'),
    errors: [E_AUTH_INVALID_CREDENTIALS],
  },
  'POST /api/v1/auth/password-reset': {
    summary: 'Request a password reset',
    description: 'Always 202, whether or not the email has an account.',
    tags: ['Auth'],
    security: [],
    status: 202,
    body: passwordResetValidator,
    data: flag('requested'),
  },
  'POST /api/v1/auth/password-reset/confirm': {
    summary: 'Set a new password with a reset token',
    tags: ['Auth'],
    security: [],
    body: passwordResetConfirmValidator,
    data: flag('password_changed'),
    errors: [E_AUTH_RESET_TOKEN_INVALID],
  },
  'POST /api/v1/auth/invite/accept': {
    summary: 'Accept an invitation',
    description: 'Activates an invited user with their chosen password and signs them in.',
    tags: ['Auth'],
    security: [],
    body: inviteAcceptValidator,
    data: ref('TokenPair'),
    errors: [E_AUTH_INVITE_INVALID],
  },
  ...mfaRoutes('/api/v1/auth', 'Auth'),
  ...mfaRoutes('/api/v1/platform/auth', 'Platform: auth'),
  'GET /api/v1/auth/me/export': {
    summary: 'Everything Oryne holds about you (personal-data export)',
    tags: ['Auth'],
    data: { type: 'object' },
  },
})
