/*
 * JavaScript entry for AdonisJS's `ace` (framework generators and Lucid tooling).
 * Platform operations live in the `oryne` CLI.
 */
import { reexecOnPinnedNode } from './bin/node24.js'

if (!reexecOnPinnedNode(new URL('./bin/console.ts', import.meta.url))) {
  await import('@poppinss/ts-exec')
  await import('./bin/console.ts')
}
