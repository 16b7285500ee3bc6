/*
 * Oryne runs on Node.js 24, pinned through the `node` npm package. Scripts run by
 * npm already get it first on PATH; when an entry point is started with an older
 * system Node (`./node_modules/.bin/oryne`, `node bin/oryne.js`), it re-runs itself
 * on the pinned binary.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const REQUIRED_MAJOR = 24

/** Returns true when the caller should stop: the script is being re-run on Node 24. */
export function reexecOnPinnedNode(scriptUrl) {
  if (Number(process.versions.node.split('.')[0]) >= REQUIRED_MAJOR) return false
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(pinned)) {
    console.error(
      `Oryne needs Node.js ${REQUIRED_MAJOR} (this is ${process.version}). Run \`npm ci\` to install the pinned version.`
    )
    process.exit(1)
  }
  const child = spawn(
    pinned,
    [...process.execArgv, fileURLToPath(scriptUrl), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    }
  )
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal))
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
  return true
}
