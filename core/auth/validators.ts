import vine from '@vinejs/vine'
import { PASSWORD_MAX_LENGTH, passwordProblems } from './password_policy.js'

/*
 * Input rules of the auth endpoints and the `oryne user` / `oryne platform-admin`
 * commands: both refuse the same input with the same ERR_VALIDATION details.
 */

/** Emails are compared trimmed and lowercased, wherever they come from. */
export const emailRule = () => vine.string().trim().toLowerCase().email().maxLength(254)

/** The password policy (password_policy.ts) as a field rule. */
const policy = vine.createRule((value, _, field) => {
  if (typeof value !== 'string') return
  for (const problem of passwordProblems(value)) field.report(problem.message, problem.rule, field)
})

const newPassword = () => vine.string().use(policy())
/** A password being checked, not set: only bounded, so that hashing stays cheap. */
const givenPassword = () =>
  vine
    .string()
    .minLength(1)
    .maxLength(PASSWORD_MAX_LENGTH * 4)
const opaque = () => vine.string().trim().minLength(16).maxLength(200)
const name = () => vine.string().trim().minLength(1).maxLength(200)

export const loginValidator = vine.compile(
  vine.object({ email: emailRule(), password: givenPassword() })
)

export const refreshValidator = vine.compile(vine.object({ refresh_token: opaque() }))

export const logoutValidator = vine.compile(vine.object({ refresh_token: opaque().optional() }))

export const changePasswordValidator = vine.compile(
  vine.object({ current_password: givenPassword(), new_password: newPassword() })
)

export const passwordResetValidator = vine.compile(vine.object({ email: emailRule() }))

export const passwordResetConfirmValidator = vine.compile(
  vine.object({ token: opaque(), password: newPassword() })
)

export const inviteAcceptValidator = vine.compile(
  vine.object({ token: opaque(), password: newPassword(), name: name().optional() })
)

export const createUserValidator = vine.compile(
  vine.object({
    email: emailRule(),
    name: name().optional(),
    role: vine.string().trim().minLength(1).maxLength(60),
    password: newPassword().optional(),
  })
)

export const userEmailValidator = vine.compile(vine.object({ email: emailRule() }))

export const setPasswordValidator = vine.compile(
  vine.object({ email: emailRule(), password: newPassword() })
)

export const createPlatformAdminValidator = vine.compile(
  vine.object({ email: emailRule(), name: name().optional(), password: newPassword() })
)

export const adminCreateUserValidator = vine.compile(
  vine.object({
    email: emailRule(),
    name: name().optional(),
    roles: vine.array(vine.string().trim().minLength(1).maxLength(60)).minLength(1).maxLength(20),
    password: newPassword().optional(),
  })
)

export const adminUpdateUserValidator = vine.compile(
  vine.object({ email: emailRule().optional(), name: name().optional() })
)

export const setRolesValidator = vine.compile(
  vine.object({
    roles: vine.array(vine.string().trim().minLength(1).maxLength(60)).minLength(1).maxLength(20),
  })
)

const code = () => vine.string().trim().minLength(6).maxLength(20)

/** `otp`: the TOTP (or recovery) code of a user with MFA on, sent along to skip the second step. */
export const loginWithCodeValidator = vine.compile(
  vine.object({ email: emailRule(), password: givenPassword(), otp: code().optional() })
)

export const mfaLoginValidator = vine.compile(vine.object({ mfa_token: opaque(), code: code() }))

export const mfaCodeValidator = vine.compile(vine.object({ code: code() }))
