import { E_VALIDATION } from '#core/errors'
import { interactive } from './output.js'

/** Everything piped in, without the final newline (`echo "$PW" | oryne ... --password-stdin`). */
async function readStdin() {
  let data = ''
  process.stdin.setEncoding('utf8')
  for await (const chunk of process.stdin) data += chunk
  return data.replace(/\r?\n$/, '')
}

/**
 * The password a command should set: piped in with --password-stdin, or typed
 * twice at a terminal (the prompts go to stderr, so stdout stays parseable).
 * Undefined when neither applies, or when the person leaves it empty and
 * `optional` says what happens then.
 */
export async function passwordInput(options: {
  passwordStdin?: boolean
  /** Shown in the prompt: what leaving it empty does, when that is allowed. */
  optional?: string
}): Promise<string | undefined> {
  if (options.passwordStdin) return readStdin()
  if (!interactive()) return undefined
  const { password } = await import('@inquirer/prompts')
  try {
    const first = await password(
      {
        message: options.optional ? `Password (empty: ${options.optional}):` : 'Password:',
        mask: '*',
      },
      { output: process.stderr }
    )
    if (!first && options.optional) return undefined
    const again = await password({ message: 'Again:', mask: '*' }, { output: process.stderr })
    if (again !== first) {
      throw new E_VALIDATION([], {
        details: [{ field: 'password', rule: 'confirmed', message: 'The two passwords differ' }],
      })
    }
    return first
  } catch (error) {
    // Ctrl+C at the prompt: stop here, nothing was changed.
    if ((error as Error).name === 'ExitPromptError') process.exit(130)
    throw error
  }
}
