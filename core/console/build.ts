import { fileURLToPath } from 'node:url'
import { FrontEnd } from '../utils/front_end.js'

/** The console's sources (console/) and where their build goes (git-ignored tmp/console). */
export const CONSOLE_SOURCE = fileURLToPath(new URL('../../console', import.meta.url))
export const CONSOLE_OUTPUT = fileURLToPath(new URL('../../tmp/console', import.meta.url))

export const consoleFrontEnd = new FrontEnd({
  source: CONSOLE_SOURCE,
  output: CONSOLE_OUTPUT,
  // The console reads answers with the web app's kit (web/src/kit/envelope.ts).
  watched: () => [fileURLToPath(new URL('../../web/src/kit', import.meta.url))],
})

/** Whether the built console is missing or older than any of its sources. */
export function consoleIsStale(options: { sources?: boolean } = {}) {
  return consoleFrontEnd.isStale(options)
}

/** Builds the console when its output is missing or stale; concurrent callers share one build. */
export function ensureConsoleBuilt(options: { sources?: boolean } = {}): Promise<void> {
  return consoleFrontEnd.ensureBuilt(options)
}
