import Table from 'cli-table3'
import { OryneError, toOryneError } from '#core/errors'

/** Exit codes every `oryne` command keeps: scripts rely on them. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/** A person is at the terminal: prompts and progress bars are allowed. */
export function interactive() {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI)
}

export function printJson(value: unknown) {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

export function printTable(head: string[], rows: Array<Array<string | number | null | undefined>>) {
  const table = new Table({ head, style: { head: [], border: [] } })
  table.push(
    ...rows.map((row) =>
      row.map((cell) => (cell === null || cell === undefined ? '' : String(cell)))
    )
  )
  process.stdout.write(table.toString() + '\n')
}

export function errorBody(error: unknown) {
  const oryneError = toOryneError(error)
  // Unlike the HTTP API, the CLI's user is the operator: show what really went wrong.
  const message =
    oryneError.code === 'ERR_INTERNAL' && error instanceof Error
      ? error.message
      : oryneError.message
  return {
    code: oryneError.code!,
    message,
    ...(oryneError.hint ? { hint: oryneError.hint } : {}),
    ...(oryneError.details !== undefined ? { details: oryneError.details } : {}),
  }
}

/** Reports a failed command on stderr (or as JSON on stdout with --json) and sets exit code 1. */
export function reportFailure(error: unknown, json: boolean) {
  const body = errorBody(error)
  if (json) {
    printJson({ ok: false, error: body })
    if (!(error instanceof OryneError) && error instanceof Error && process.env.ORYNE_DEBUG)
      process.stderr.write(`${error.stack}\n`)
  } else {
    process.stderr.write(`Error [${body.code}]: ${body.message}\n`)
    if (Array.isArray(body.details)) {
      for (const detail of body.details as Array<{ field?: string; message?: string }>) {
        process.stderr.write(
          `  - ${detail.field ?? ''}: ${detail.message ?? JSON.stringify(detail)}\n`
        )
      }
    }
    if (body.hint) process.stderr.write(`Hint: ${body.hint}\n`)
    if (!(error instanceof OryneError) && error instanceof Error && process.env.ORYNE_DEBUG) {
      process.stderr.write(`${error.stack}\n`)
    }
  }
  process.exitCode = EXIT.failed
}
