import type { CodeToken } from './code_tokens.js'

/*
 * Greedy string tiling (Wise 1993, as in JPlag) over two token streams: the
 * longest common unmarked runs of at least MIN_MATCH tokens become tiles,
 * longest first, until none is left. Tiles match wherever they sit, so
 * functions moved around in a file still match; identifiers and literals are
 * abstracted (code_tokens.ts), so renaming does not hide a copy.
 */

/** Shortest run of tokens that counts as copied: shorter runs are what every program writes. */
export const MIN_MATCH = 12

export type Tile = { a: number; b: number; length: number }

function tiles(a: string[], b: string[]): Tile[] {
  const markedA = new Uint8Array(a.length)
  const markedB = new Uint8Array(b.length)
  const found: Tile[] = []
  for (;;) {
    // Positions of every MIN_MATCH-gram of b that is still unmarked.
    const grams = new Map<string, number[]>()
    for (let j = 0; j + MIN_MATCH <= b.length; j++) {
      if (markedB.subarray(j, j + MIN_MATCH).includes(1)) continue
      const key = b.slice(j, j + MIN_MATCH).join(' ')
      grams.set(key, [...(grams.get(key) ?? []), j])
    }
    let best: Tile[] = []
    let longest = MIN_MATCH - 1
    for (let i = 0; i + MIN_MATCH <= a.length; i++) {
      if (markedA.subarray(i, i + MIN_MATCH).includes(1)) continue
      for (const j of grams.get(a.slice(i, i + MIN_MATCH).join(' ')) ?? []) {
        let length = MIN_MATCH
        while (
          i + length < a.length &&
          j + length < b.length &&
          !markedA[i + length] &&
          !markedB[j + length] &&
          a[i + length] === b[j + length]
        )
          length++
        if (length > longest) [best, longest] = [[{ a: i, b: j, length }], length]
        else if (length === longest) best.push({ a: i, b: j, length })
      }
    }
    if (!best.length) return found
    for (const tile of best) {
      if (markedA.subarray(tile.a, tile.a + tile.length).includes(1)) continue
      if (markedB.subarray(tile.b, tile.b + tile.length).includes(1)) continue
      markedA.fill(1, tile.a, tile.a + tile.length)
      markedB.fill(1, tile.b, tile.b + tile.length)
      found.push(tile)
    }
  }
}

export type CodeRegion = {
  lines: [number, number]
  source_lines: [number, number]
  tokens: number
}

export type CodeComparison = {
  /** Tokens inside tiles over all tokens of both files (0-1). */
  similarity: number
  regions: CodeRegion[]
}

/** Compares a file with a source file: its similarity and the matched regions (line ranges in each). */
export function compareCode(file: CodeToken[], source: CodeToken[]): CodeComparison {
  const found = tiles(
    file.map((t) => t.kind),
    source.map((t) => t.kind)
  ).sort((x, y) => x.a - y.a)
  const covered = found.reduce((sum, tile) => sum + tile.length, 0)
  return {
    similarity:
      file.length + source.length
        ? Math.round(((2 * covered) / (file.length + source.length)) * 1e4) / 1e4
        : 0,
    regions: found.map((tile) => ({
      lines: [file[tile.a].line, file[tile.a + tile.length - 1].line],
      source_lines: [source[tile.b].line, source[tile.b + tile.length - 1].line],
      tokens: tile.length,
    })),
  }
}

/** A token stream's MIN_MATCH-grams (one key per start position), for bounding comparisons cheaply. */
export type CodeGrams = { length: number; keys: string[]; set: Set<string> }

export function codeGrams(tokens: CodeToken[]): CodeGrams {
  const kinds = tokens.map((t) => t.kind)
  const keys: string[] = []
  for (let i = 0; i + MIN_MATCH <= kinds.length; i++)
    keys.push(kinds.slice(i, i + MIN_MATCH).join(' '))
  return { length: tokens.length, keys, set: new Set(keys) }
}

/**
 * The highest similarity compareCode could find between two files: every tile is a run of at least
 * MIN_MATCH tokens both files have, so only tokens inside such a shared run can be covered, on each
 * side. A pair whose bound is below a threshold need not be tiled.
 */
export function similarityBound(file: CodeGrams, source: CodeGrams): number {
  const coverable = (side: CodeGrams, other: CodeGrams) => {
    const marked = new Uint8Array(side.length)
    side.keys.forEach((key, i) => {
      if (other.set.has(key)) marked.fill(1, i, i + MIN_MATCH)
    })
    return marked.reduce((sum, v) => sum + v, 0)
  }
  const total = file.length + source.length
  return total ? (2 * Math.min(coverable(file, source), coverable(source, file))) / total : 0
}
