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
