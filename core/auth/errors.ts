import { defineError } from '../oryne_error.js'

/* API authentication (JWTs, and the static platform token for automation) */
export const E_AUTH_REQUIRED = defineError(
  'ERR_AUTH_REQUIRED',
  401,
  'Authentication is required',
  'Send "Authorization: Bearer <token>".'
)
export const E_AUTH_INVALID_TOKEN = defineError(
  'ERR_AUTH_INVALID_TOKEN',
  401,
  'The token is invalid',
  'Sign in again for a fresh access token (POST /api/v1/auth/login or /api/v1/platform/auth/login), or use ORYNE_PLATFORM_TOKEN on platform routes.'
)

/* Identity */
export const E_AUTH_INVALID_CREDENTIALS = defineError(
  'ERR_AUTH_INVALID_CREDENTIALS',
  401,
  'The email or password is incorrect',
  'Check both and try again. Invited users accept their invitation first; forgotten passwords are reset through /auth/password-reset.'
)
export const E_AUTH_ACCOUNT_DISABLED = defineError(
  'ERR_AUTH_ACCOUNT_DISABLED',
  403,
  'This account is disabled',
  'Ask your administrator to enable it (`oryne user enable`).'
)
export const E_AUTH_TOKEN_EXPIRED = defineError(
  'ERR_AUTH_TOKEN_EXPIRED',
  401,
  'The access token has expired',
  'Get a new one from POST /auth/refresh with your refresh token.'
)
export const E_AUTH_TENANT_MISMATCH = defineError(
  'ERR_AUTH_TENANT_MISMATCH',
  401,
  'The token was issued for %s, not for %s',
  'Sign in on the tenant (or the platform) you are calling.'
)
export const E_AUTH_TOKEN_REUSED = defineError(
  'ERR_AUTH_TOKEN_REUSED',
  401,
  'This refresh token was already used: the session is revoked',
  'Sign in again. If you did not reuse the token, someone else may hold it.'
)
export const E_AUTH_SESSION_ENDED = defineError(
  'ERR_AUTH_SESSION_ENDED',
  401,
  'The session has ended (signed out, password changed, or expired)',
  'Sign in again.'
)
export const E_AUTH_INVITE_INVALID = defineError(
  'ERR_AUTH_INVITE_INVALID',
  400,
  'The invitation is invalid, already used or expired',
  'Ask your administrator for a new invitation (`oryne user reset-password`).'
)
export const E_AUTH_RESET_TOKEN_INVALID = defineError(
  'ERR_AUTH_RESET_TOKEN_INVALID',
  400,
  'The password reset token is invalid, already used or expired',
  'Request a new one with POST /auth/password-reset.'
)
export const E_FORBIDDEN = defineError(
  'ERR_FORBIDDEN',
  403,
  'Not allowed: %s',
  'Ask an administrator for the role this needs.'
)
export const E_USER_NOT_FOUND = defineError(
  'ERR_USER_NOT_FOUND',
  404,
  'No user "%s"',
  '`oryne user list --tenant <slug>` lists the users.'
)
export const E_USER_EMAIL_TAKEN = defineError(
  'ERR_USER_EMAIL_TAKEN',
  409,
  'A user with the email "%s" already exists'
)
export const E_LAST_TENANT_ADMIN = defineError(
  'ERR_LAST_TENANT_ADMIN',
  409,
  'This would leave the institution without an active TenantAdmin',
  'Give the TenantAdmin role to another active user first.'
)

/* Two-step verification (MFA) */
export const E_AUTH_MFA_INVALID = defineError(
  'ERR_AUTH_MFA_INVALID',
  401,
  'The authentication code is incorrect',
  'Enter the current 6-digit code from your authenticator app, or an unused recovery code.'
)
export const E_AUTH_MFA_CHALLENGE_INVALID = defineError(
  'ERR_AUTH_MFA_CHALLENGE_INVALID',
  401,
  'The MFA sign-in step is invalid, expired or used up',
  'Sign in again with your email and password.'
)
export const E_MFA_ALREADY_ENABLED = defineError(
  'ERR_MFA_ALREADY_ENABLED',
  409,
  'Two-factor authentication is already enabled',
  'Disable it first (DELETE /auth/mfa) to enrol a new device.'
)
export const E_MFA_NOT_ENABLED = defineError(
  'ERR_MFA_NOT_ENABLED',
  409,
  'Two-factor authentication is not enabled',
  'Enrol first: POST /auth/mfa/enroll, then POST /auth/mfa/confirm with a code.'
)
