/* JavaScript entry for the test suite (`npm test`): registers the TypeScript loader. */
import { reexecOnPinnedNode } from './node24.js'

if (!reexecOnPinnedNode(import.meta.url)) {
  await import('@poppinss/ts-exec')
  await import('./test.ts')
}
