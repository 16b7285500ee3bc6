import { cpus, loadavg, totalmem } from 'node:os'
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

/** 1, 5 and 15 minute load averages: on a shared machine, whether others were busy during a run. */
export function loadAverage() {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ')
}

export function fixed(value: number, digits: number) {
  return value.toFixed(digits)
}

/** A ratio of two figures, or `n/a` when the divisor is 0 (autocannon rounds latencies to whole ms). */
export function ratio(candidate: number, baseline: number) {
  return baseline === 0 ? 'n/a' : fixed(candidate / baseline, 2)
}

/**
 * Prints a Markdown table under `title`, then the machine it was measured on.
 * The first column is a label (left-aligned), the others are figures (right-aligned).
 */
export function printTable(title: string, header: string[], rows: string[][]) {
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

/** Prints candidate and baseline side by side with candidate / baseline ratios, as a Markdown table. */
export function printComparison(title: string, candidate: Measured, baseline: Measured) {
  printLoadTable(title, [candidate], baseline)
}

/**
 * Prints load results of one or more candidates next to a baseline, each
 * candidate with its own ratio column against that baseline.
 */
export function printLoadTable(title: string, candidates: Measured[], baseline: Measured) {
  const all = [...candidates, baseline]
  const ratios = (figure: (result: LoadResult) => number, divide = ratio) =>
    candidates.map((candidate) => divide(figure(candidate.result), figure(baseline.result)))
  const rows: string[][] = [
    [
      'Requests/s (mean)',
      ...all.map(({ result }) => fixed(result.requestsPerSecond, 0)),
      ...ratios(
        (result) => result.requestsPerSecond,
        (a, b) => fixed(a / b, 2)
      ),
    ],
    [
      'Latency p50 (ms)',
      ...all.map(({ result }) => fixed(result.latencyP50Ms, 0)),
      ...ratios((result) => result.latencyP50Ms),
    ],
    [
      'Latency p99 (ms)',
      ...all.map(({ result }) => fixed(result.latencyP99Ms, 0)),
      ...ratios((result) => result.latencyP99Ms),
    ],
    [
      'Requests (total)',
      ...all.map(({ result }) => String(result.totalRequests)),
      ...candidates.map(() => ''),
    ],
    ['Errors', ...all.map(({ result }) => String(result.errors)), ...candidates.map(() => '')],
    ['Non-2xx', ...all.map(({ result }) => String(result.non2xx)), ...candidates.map(() => '')],
  ]
  const header = [
    '',
    ...all.map(({ label }) => label),
    ...candidates.map(({ label }) => `${label} / ${baseline.label}`),
  ]
  printTable(title, header, rows)
}
