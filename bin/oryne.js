#!/usr/bin/env node
/*
 * The `oryne` command. A JavaScript entry so that it runs straight after `npm ci`:
 * it registers the TypeScript loader and hands over to cli/main.ts.
 */
import { reexecOnPinnedNode } from './node24.js'

if (!reexecOnPinnedNode(import.meta.url)) {
  await import('@poppinss/ts-exec')
  const { main } = await import('../cli/main.ts')
  await main(process.argv)
}
