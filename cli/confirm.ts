import { Option, type Command } from 'commander'
import { interactive } from './output.js'

/**
 * One confirmation for every destructive command: `--yes` in scripts, or the
 * person at a terminal types the name of what goes away. `--force` (tenant
 * delete, backup restore) and `--purge` (plugin uninstall) were the old
 * spellings; they still work, hidden from --help, with a warning.
 */
export type Confirmation = { yes?: boolean; force?: boolean; purge?: boolean }

export function confirmationOption(
  command: Command,
  what: string,
  deprecated?: '--force' | '--purge'
) {
  command.option('-y, --yes', `${what} without a prompt (scripts)`)
  if (deprecated) command.addOption(new Option(deprecated, 'deprecated: use --yes').hideHelp())
  return command
}

/** `--yes`, or a deprecated alias of it (with a warning on stderr). */
export function confirmedByFlag(options: Confirmation) {
  const alias = options.force ? '--force' : options.purge ? '--purge' : null
  if (alias) process.stderr.write(`Warning: ${alias} is deprecated; pass --yes.\n`)
  return Boolean(options.yes || alias)
}

/**
 * True when the command may go ahead: `--yes`, or `expected` typed at the
 * prompt of a terminal. The prompt goes to stderr so that stdout stays
 * parseable with --json; Ctrl+C is a refusal like any other answer.
 */
export async function confirmed(
  options: Confirmation,
  prompt: { message: string; expected: string; normalize?: (typed: string) => string }
) {
  if (confirmedByFlag(options)) return true
  if (!interactive()) return false
  const { input } = await import('@inquirer/prompts')
  const normalize = prompt.normalize ?? ((typed: string) => typed.trim())
  try {
    const typed = await input(
      { message: `${prompt.message} Type ${prompt.expected} to confirm:` },
      { output: process.stderr }
    )
    return normalize(typed) === prompt.expected
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') return false
    throw error
  }
}
