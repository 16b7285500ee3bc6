/*
 * Code plagiarism quality (plugins/ai, POST /ai/plagiarism/code-check's
 * comparison): real JavaScript files of installed packages (semver, knex,
 * bull, ioredis; 30-400 lines each) are the originals. Each copy is an
 * original with every identifier that is not a keyword renamed, its
 * top-level blocks (separated by blank lines) shuffled, and its comments
 * replaced; each copy is compared with its original (a positive pair) and
 * with a file of the next package (a negative pair: files of one package
 * are often token-for-token the same with other names, e.g. knex's dialects,
 * which no token comparison can call independent). A pair is reported when its similarity reaches 0.5. Precision and
 * recall over pairs, next to a naive baseline on the same pairs: the share of
 * identical (trimmed, non-empty) lines, reported from 0.5. Runs without a
 * database. BENCH_SEED changes the renaming and shuffling (default 4).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { codeLanguage, tokenizeCode } from '#plugins/ai/plagiarism/code_tokens'
import { compareCode } from '#plugins/ai/plagiarism/code_match'
import { fixed, printTable } from './support/report.js'

const PACKAGES = ['semver', 'knex/lib', 'bull/lib', 'ioredis/built']
const THRESHOLD = 0.5
const PER_PACKAGE = 30

let state = Number(process.env.BENCH_SEED) || 4
const random = () => {
  state = (Math.imul(state, 1_103_515_245) + 12_345) | 0
  return ((state >>> 8) & 0xffffff) / 0x1000000
}

function filesOf(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : filesOf(path)
    return name.endsWith('.js') ? [path] : []
  })
}

const KEEP = new Set(
  `break case catch class const continue debugger default delete do else export extends finally for function if
  import in instanceof let new return super switch this throw try typeof var void while with yield async await of
  static get set null undefined true false require module exports prototype length push console`.split(
    /\s+/
  )
)

/** A disguised copy: identifiers renamed, comments replaced, top-level blocks shuffled. */
function disguise(source: string) {
  const names = new Map<string, string>()
  const renamed = source
    .replace(/\/\*[^]*?\*\//g, '/* rewritten */')
    .replace(/\/\/[^\n]*/g, '// mine')
    .replace(/\b[A-Za-z_$][\w$]*\b/g, (word) => {
      if (KEEP.has(word)) return word
      if (!names.has(word)) names.set(word, `v${names.size}_${Math.floor(random() * 1000)}`)
      return names.get(word)!
    })
  const blocks = renamed.split(/\n\s*\n/)
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[blocks[i], blocks[j]] = [blocks[j], blocks[i]]
  }
  return blocks.join('\n\n')
}

function identicalLines(a: string, b: string) {
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
  const other = new Set(lines(b))
  const own = lines(a)
  return own.length ? own.filter((line) => other.has(line)).length / own.length : 0
}

type Pair = { copied: boolean; ours: number; naive: number }
const pairs: Pair[] = []
const started = performance.now()
const packages = PACKAGES.map((pkg) =>
  filesOf(join('node_modules', pkg))
    .map((path) => readFileSync(path, 'utf8'))
    .filter((text) => {
      const lines = text.split('\n').length
      return lines >= 30 && lines <= 400
    })
    .slice(0, PER_PACKAGE)
)
for (const [p, files] of packages.entries()) {
  const others = packages[(p + 1) % packages.length]
  files.forEach((original, i) => {
    const copy = disguise(original)
    const other = others[i % others.length]
    const language = codeLanguage('x.js')!
    const tokens = tokenizeCode(copy, language)
    for (const [source, copied] of [
      [original, true],
      [other, false],
    ] as const)
      pairs.push({
        copied,
        ours: compareCode(tokens, tokenizeCode(source, language)).similarity,
        naive: identicalLines(copy, source),
      })
  })
}
const seconds = (performance.now() - started) / 1000

function scores(pick: (pair: Pair) => number) {
  let tp = 0
  let fp = 0
  let fn = 0
  for (const pair of pairs) {
    const reported = pick(pair) >= THRESHOLD
    if (reported && pair.copied) tp++
    else if (reported) fp++
    else if (pair.copied) fn++
  }
  return { precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 }
}
const ours = scores((pair) => pair.ours)
const naive = scores((pair) => pair.naive)
printTable(
  `Code plagiarism: ${pairs.length / 2} disguised copies (renamed, blocks shuffled, comments replaced) and as many non-copies from another package, ${fixed(seconds, 1)} s`,
  ['', 'precision', 'recall'],
  [
    ['Oryne (token GST, similarity ≥ 0.5)', fixed(ours.precision, 3), fixed(ours.recall, 3)],
    ['Identical lines ≥ 0.5 (naive)', fixed(naive.precision, 3), fixed(naive.recall, 3)],
  ]
)
const met = ours.precision >= 0.9 && ours.recall >= 0.9
console.log(`Target precision and recall ≥ 0.90: ${met ? 'met' : 'MISSED'}.`)
