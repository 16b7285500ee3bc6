/*
 * JavaScript entry for benchmarks (`npm run bench -- <name>`): registers the
 * TypeScript loader, then runs bench/<name>.ts. Without a known name it lists
 * what can be run and exits 2, so a typo never passes silently in a script.
 * Files are snake_case like the rest of the code base; a dashed name
 * (`http-baseline`) is accepted too, since that is how commands are usually typed.
 */
import { readdirSync } from 'node:fs'
import { reexecOnPinnedNode } from '../bin/node24.js'

if (!reexecOnPinnedNode(import.meta.url)) {
  const available = readdirSync(new URL('./', import.meta.url), { withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
    )
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort()
  const name = process.argv[2]?.replaceAll('-', '_')

  if (!name || !available.includes(name)) {
    if (name) console.error(`Unknown benchmark "${process.argv[2]}".`)
    console.error('Usage: npm run bench -- <name>\n\nAvailable benchmarks:')
    for (const benchmark of available) console.error(`  ${benchmark}`)
    process.exit(2)
  }

  await import('@poppinss/ts-exec')
  await import(`./${name}.ts`)
}
