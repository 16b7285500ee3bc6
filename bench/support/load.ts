import autocannon from 'autocannon'

export type LoadOptions = {
  connections?: number
  /** Seconds of load. */
  duration?: number
  /** Sent with every request, e.g. the tenant and the bearer token. */
  headers?: Record<string, string>
}

/** What a benchmark reports for one server under load. */
export type LoadResult = {
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  totalRequests: number
  errors: number
  non2xx: number
}

/** Seconds a benchmark measures for: BENCH_DURATION shortens a run while iterating. */
export function benchDuration(fallback = 10) {
  const seconds = Number(process.env.BENCH_DURATION)
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback
}

/*
 * Benchmarks serve from the main thread of this process; autocannon on that
 * thread too would take its event loop from the server under test (a bare
 * node:http server measured ~40% slower that way on 2 cores). One worker
 * thread keeps the load generator off the server's loop.
 */
const LOAD_WORKERS = 1

/** Puts `url` under load with autocannon and keeps the figures the reports compare. */
export async function load(url: string, options: LoadOptions = {}): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections ?? 50,
    duration: options.duration ?? benchDuration(),
    workers: LOAD_WORKERS,
    headers: options.headers,
  })
  return {
    requestsPerSecond: result.requests.mean,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    totalRequests: result.requests.total,
    // Timeouts are counted in errors by autocannon already.
    errors: result.errors,
    non2xx: result.non2xx,
  }
}

/**
 * Untimed load before measuring, so that JIT compilation, connection pools
 * and lazily imported controllers do not weigh on the measured run.
 */
export async function warmUp(
  url: string,
  options: { seconds?: number; headers?: Record<string, string> } = {}
) {
  await autocannon({
    url,
    connections: 50,
    duration: options.seconds ?? 2,
    workers: LOAD_WORKERS,
    headers: options.headers,
  })
}
