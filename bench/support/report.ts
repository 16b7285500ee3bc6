import { cpus, totalmem } from 'node:os'
import type { LoadResult } from './load.js'

export type Measured = { label: string; result: LoadResult }

/** The machine a run happened on, printed with every report so figures are never quoted bare. */
export function machineFacts() {
  const cores = cpus()
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  }
}

function fixed(value: number, digits: number) {
  return value.toFixed(digits)
}

/** Prints candidate and baseline side by side with candidate / baseline ratios, as a Markdown table. */
export function printComparison(title: string, candidate: Measured, baseline: Measured) {
  const rows: Array<[string, string, string, string]> = [
    [
      'Requests/s (mean)',
      fixed(candidate.result.requestsPerSecond, 0),
      fixed(baseline.result.requestsPerSecond, 0),
      fixed(candidate.result.requestsPerSecond / baseline.result.requestsPerSecond, 2),
    ],
    [
      'Latency p50 (ms)',
      fixed(candidate.result.latencyP50Ms, 0),
      fixed(baseline.result.latencyP50Ms, 0),
      ratio(candidate.result.latencyP50Ms, baseline.result.latencyP50Ms),
    ],
    [
      'Latency p99 (ms)',
      fixed(candidate.result.latencyP99Ms, 0),
      fixed(baseline.result.latencyP99Ms, 0),
      ratio(candidate.result.latencyP99Ms, baseline.result.latencyP99Ms),
    ],
    [
      'Requests (total)',
      String(candidate.result.totalRequests),
      String(baseline.result.totalRequests),
      '',
    ],
    ['Errors', String(candidate.result.errors), String(baseline.result.errors), ''],
    ['Non-2xx', String(candidate.result.non2xx), String(baseline.result.non2xx), ''],
  ]
  const header: [string, string, string, string] = [
    '',
    candidate.label,
    baseline.label,
    `${candidate.label} / ${baseline.label}`,
  ]
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length))
  )
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`

  const facts = machineFacts()
  console.log(`\n## ${title}\n`)
  console.log(line(header))
  console.log(
    `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`
  )
  for (const row of rows) console.log(line(row))
  console.log(
    `\nMachine: ${facts.cpu}, ${facts.cores} cores, ${facts.memory} memory, Node ${facts.node}, ${facts.date}`
  )
}

/** A latency of 0 ms (autocannon rounds to whole ms) makes a ratio meaningless. */
function ratio(candidate: number, baseline: number) {
  return baseline === 0 ? 'n/a' : fixed(candidate / baseline, 2)
}
