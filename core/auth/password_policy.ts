import { E_VALIDATION } from '../errors.js'

export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 128

/** Bases of the passwords every cracking list starts with (checked without their digits and symbols). */
const COMMON = new Set([
  'password',
  'passw0rd',
  'qwerty',
  'qwertyuiop',
  'letmein',
  'welcome',
  'iloveyou',
  'admin',
  'administrator',
  'abcdef',
  'abc',
  'changeme',
  'secret',
  'football',
  'monkey',
  'dragon',
  'school',
  'student',
  'teacher',
])

const CLASSES: Array<[RegExp, string]> = [
  [/[a-z]/, 'lowercase letters'],
  [/[A-Z]/, 'uppercase letters'],
  [/\d/, 'digits'],
  [/[^A-Za-z\d]/, 'symbols or spaces'],
]

export type PolicyProblem = { field: string; rule: string; message: string }

/**
 * What is wrong with a new password, as ERR_VALIDATION details (empty when it
 * is acceptable): 10 to 128 characters, at least two kinds of character
 * (lowercase, uppercase, digits, symbols), not a well-known password with
 * digits around it, and not the account's email or its name part.
 */
export function passwordProblems(
  password: string,
  options: { field?: string; email?: string } = {}
): PolicyProblem[] {
  const field = options.field ?? 'password'
  const problems: PolicyProblem[] = []
  const report = (rule: string, message: string) => problems.push({ field, rule, message })

  if (password.length < PASSWORD_MIN_LENGTH) {
    report('password.min_length', `Use at least ${PASSWORD_MIN_LENGTH} characters`)
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    report('password.max_length', `Use at most ${PASSWORD_MAX_LENGTH} characters`)
  }
  const kinds = CLASSES.filter(([pattern]) => pattern.test(password)).length
  if (kinds < 2) {
    report(
      'password.character_classes',
      `Mix at least two of: ${CLASSES.map(([, name]) => name).join(', ')}`
    )
  }
  const base = password.toLowerCase().replace(/[^a-z]/g, '')
  if (COMMON.has(base)) {
    report('password.common', 'This password is too easy to guess')
  }
  const email = options.email?.toLowerCase()
  const local = email?.split('@')[0]
  const lowered = password.toLowerCase()
  if (
    email &&
    (lowered.includes(email) || (local && local.length >= 4 && lowered.includes(local)))
  ) {
    report('password.contains_email', 'Do not use your email address in your password')
  }
  return problems
}

/** Throws ERR_VALIDATION with the policy's details when the password is not acceptable. */
export function assertPasswordPolicy(
  password: string,
  options: { field?: string; email?: string } = {}
) {
  const problems = passwordProblems(password, options)
  if (problems.length) throw new E_VALIDATION([], { details: problems })
}
