import { format } from 'node:util'
import { Exception } from '@adonisjs/core/exceptions'

/**
 * Every error a user of Oryne can hit has a stable `ERR_*` code, an HTTP status,
 * a plain message and a hint saying what to do next. Each capability declares
 * its own in its errors.ts with defineError; docs/errors.md lists them, and a
 * test keeps that catalog and the code in step.
 */
export class OryneError extends Exception {
  declare static code: string
  declare static status: number
  /** What the caller can do about it. */
  hint?: string
  /** Structured details (validation messages, failing checks, ...). */
  details?: unknown

  constructor(
    args: unknown[] = [],
    options: { details?: unknown; hint?: string; cause?: unknown } = {}
  ) {
    const self = new.target
    super(format(self.message, ...args), {
      code: self.code,
      status: self.status,
      cause: options.cause,
    })
    this.name = 'OryneError'
    this.hint = options.hint ?? self.help
    this.details = options.details
  }
}

export type OryneErrorClass = typeof OryneError & {
  new (
    args?: unknown[],
    options?: { details?: unknown; hint?: string; cause?: unknown }
  ): OryneError
}

/** Every error defined in this process (core's and the loaded plugins'), by code. */
const defined = new Map<string, OryneErrorClass>()

/** Declares an error of the catalog: `defineError('ERR_X', 404, 'Thing "%s" not found', 'hint')`. */
export function defineError(
  code: string,
  status: number,
  message: string,
  hint?: string
): OryneErrorClass {
  const error = class extends OryneError {
    static code = code
    static status = status
    static message = message
    static help = hint
  }
  defined.set(code, error)
  return error
}

/** The errors defined so far: core's, and those of every plugin loaded (the OpenAPI `ErrorCode` list). */
export function definedErrors(): OryneErrorClass[] {
  return [...defined.values()]
}
