/**
 * Crash points for the crash-and-rerun tests of long operations: when
 * ORYNE_FAILPOINTS (comma-separated) names this point, the process kills itself
 * with SIGKILL right here, as a power cut would. Inert in production.
 */
export function failpoint(name: string) {
  const armed = process.env.ORYNE_FAILPOINTS
  if (!armed || process.env.NODE_ENV === 'production') return
  if (armed.split(',').includes(name)) process.kill(process.pid, 'SIGKILL')
}

/**
 * Pause points for race tests: when ORYNE_PAUSEPOINTS (comma-separated
 * `name=ms`) names this point, the process waits that long here, so that
 * another process deterministically gets ahead. Inert in production.
 */
export async function pausepoint(name: string) {
  const armed = process.env.ORYNE_PAUSEPOINTS
  if (!armed || process.env.NODE_ENV === 'production') return
  const entry = armed.split(',').find((item) => item.split('=')[0] === name)
  const ms = Number(entry?.split('=')[1])
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
}
