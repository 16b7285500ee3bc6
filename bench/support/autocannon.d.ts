/* autocannon ships no types; this covers the part of its API the benchmarks use. */
declare module 'autocannon' {
  type Histogram = { mean: number; p50: number; p99: number; max: number }

  export type Options = {
    url: string
    connections?: number
    duration?: number
    workers?: number
    headers?: Record<string, string>
  }

  export type Result = {
    requests: Histogram & { total: number }
    latency: Histogram
    errors: number
    timeouts: number
    non2xx: number
    duration: number
  }

  export default function autocannon(options: Options): Promise<Result>
}
