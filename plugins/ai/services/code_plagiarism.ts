import { codeLanguage, tokenizeCode } from '../plagiarism/code_tokens.js'
import { compareCode, type CodeRegion } from '../plagiarism/code_match.js'

/*
 * Code plagiarism on demand: every code file of a submission against every
 * source file of the same language, as token streams (identifiers and
 * literals abstracted) compared by greedy string tiling. Files in languages
 * it does not read are listed as skipped, never guessed at.
 */

export type CodeFile = { name: string; content: string }

export type CodePair = {
  file: string
  source: string
  language: string
  similarity: number
  regions: CodeRegion[]
}

export function checkCode(input: { files: CodeFile[]; sources: CodeFile[] }) {
  const read = (files: CodeFile[]) =>
    files.map((file) => {
      const language = codeLanguage(file.name)
      return { ...file, language, tokens: language ? tokenizeCode(file.content, language) : [] }
    })
  const files = read(input.files)
  const sources = read(input.sources)
  const pairs: CodePair[] = []
  for (const file of files)
    for (const source of sources) {
      if (!file.language || file.language !== source.language) continue
      const { similarity, regions } = compareCode(file.tokens, source.tokens)
      if (regions.length)
        pairs.push({
          file: file.name,
          source: source.name,
          language: file.language,
          similarity,
          regions,
        })
    }
  return {
    pairs: pairs.sort((a, b) => b.similarity - a.similarity),
    skipped: [...files, ...sources].filter((file) => !file.language).map((file) => file.name),
  }
}
