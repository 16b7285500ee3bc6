import { cpus } from 'node:os'
import { cpuWindow, maybeProfile, type CpuUse } from './cpu.js'
import { load, warmUp, type LoadResult } from './load.js'
import { fixed, printTable } from './report.js'

/** A load run of one route, with the CPU the server thread and PostgreSQL spent during it. */
export type Measurement = { result: LoadResult; cpu: CpuUse }

/**
 * Warms a route up for 2 s, then loads it for `duration` s at `connections`
 * while measuring CPU on both sides of the connection (profiled when
 * BENCH_CPU_PROFILE is set).
 */
export async function measureRoute(
  label: string,
  url: string,
  options: {
    headers: Record<string, string>
    postmasterPid: number
    connections: number
    duration: number
  }
): Promise<Measurement> {
  const { headers, connections, duration } = options
  console.log(`${label}: warming up 2 s, then ${connections} connections for ${duration} s`)
  await warmUp(url, { headers })
  return maybeProfile(label.toLowerCase().replace(/\W+/g, '_'), async () => {
    const window = await cpuWindow(options.postmasterPid)
    const result = await load(url, { connections, duration, headers })
    return { result, cpu: await window.finish() }
  })
}

/** Where the time went during the runs: CPU per request on each side, and how busy each side was. */
export function printCpuTable(labels: string[], measurements: Measurement[]) {
  const perRequest = (cpuMs: (cpu: CpuUse) => number) =>
    measurements.map((m) => fixed(cpuMs(m.cpu) / m.result.totalRequests, 3))
  const percent = (share: (cpu: CpuUse) => number) =>
    measurements.map((m) => `${fixed(100 * share(m.cpu), 0)}%`)
  printTable(
    'CPU during the same runs',
    ['', ...labels],
    [
      ['Server main thread, ms per request', ...perRequest((cpu) => cpu.threadMs)],
      ['PostgreSQL, ms per request', ...perRequest((cpu) => cpu.postgresMs)],
      ['Server main thread busy (of one core)', ...percent((cpu) => cpu.threadMs / cpu.wallMs)],
      ['PostgreSQL busy (of one core)', ...percent((cpu) => cpu.postgresMs / cpu.wallMs)],
      [`Machine busy (of ${cpus().length} cores)`, ...percent((cpu) => cpu.machineBusy)],
      [`Other processes (of ${cpus().length} cores)`, ...percent((cpu) => cpu.othersBusy)],
    ]
  )
}
