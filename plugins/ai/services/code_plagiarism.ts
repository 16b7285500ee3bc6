import { readTenantDb, tenantFilePath, type Trx } from '@oryne/sdk'
import { readFile } from 'node:fs/promises'
import { codeLanguage, tokenizeCode, type CodeLanguage } from '../plagiarism/code_tokens.js'
import {
  codeGrams,
  compareCode,
  similarityBound,
  type CodeRegion,
} from '../plagiarism/code_match.js'

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

/*
 * Code plagiarism on handed-in work: the code files of a submission are
 * compared with the code files handed in before in its course by other
 * students, and kept for the submissions after it.
 */

/** A pair is reported from this similarity on (bench/ai_code_plagiarism.ts: precision and recall 1.0 there). */
export const CODE_SIMILARITY = 0.5
/** Prior files a submission's code is compared with: its course's most recent ones. */
const PRIOR_FILES = 500
/** Larger files are not compared (generated or vendored code, not a student's). */
const MAX_FILE_BYTES = 200_000

export type CodeMatch = {
  file: string
  source: { kind: 'submission'; id: string; file: string }
  language: string
  similarity: number
  regions: CodeRegion[]
}

type Submission = { id: string; course_id: string; student_id: string }

/**
 * The code files of a submission, read from storage; files in other languages, and files storage no
 * longer has, are left out (the text check goes on without them).
 */
export async function submissionCode(files: Array<{ key: string; name: string }>) {
  const code: Array<CodeFile & { language: CodeLanguage }> = []
  for (const file of files) {
    const language = codeLanguage(file.name)
    if (!language) continue
    const bytes = await readFile(tenantFilePath(file.key)).catch(() => null)
    if (bytes && bytes.byteLength <= MAX_FILE_BYTES)
      code.push({ name: file.name, language, content: Buffer.from(bytes).toString('utf8') })
  }
  return code
}

/** Each code file's copies among the course's prior files of other students, most similar first. */
export async function priorCodeMatches(
  submission: Submission,
  code: Array<CodeFile & { language: CodeLanguage }>
): Promise<CodeMatch[]> {
  if (!code.length) return []
  const prior = await readTenantDb((client, table) =>
    client
      .from(table('ai_code_sources', 'c'))
      .where('c.course_id', submission.course_id)
      .whereNot('c.student_id', submission.student_id)
      .whereNot('c.submission_id', submission.id)
      .whereIn('c.language', [...new Set(code.map((file) => file.language))])
      .orderBy('c.id', 'desc')
      .limit(PRIOR_FILES)
      .select('c.submission_id', 'c.name', 'c.language', 'c.content')
  )
  const matches: CodeMatch[] = []
  const priorTokens = prior.map((source) => {
    const tokens = tokenizeCode(source.content, source.language as CodeLanguage)
    return { tokens, grams: codeGrams(tokens) }
  })
  for (const file of code) {
    const tokens = tokenizeCode(file.content, file.language)
    const grams = codeGrams(tokens)
    for (const [i, source] of prior.entries()) {
      if (source.language !== file.language) continue
      // Tiling is the costly part: a pair that cannot reach the threshold is not tiled (rounding kept aside).
      if (similarityBound(grams, priorTokens[i].grams) < CODE_SIMILARITY - 1e-3) continue
      const { similarity, regions } = compareCode(tokens, priorTokens[i].tokens)
      if (similarity >= CODE_SIMILARITY)
        matches.push({
          file: file.name,
          source: { kind: 'submission', id: String(source.submission_id), file: source.name },
          language: file.language,
          similarity,
          regions,
        })
    }
  }
  return matches.sort((a, b) => b.similarity - a.similarity)
}

/** Keeps a submission's code files (replacing any kept before) for the checks after it. */
export async function keepCode(
  trx: Trx,
  submission: Submission,
  code: Array<CodeFile & { language: CodeLanguage }>
) {
  await trx.from('ai_code_sources').where('submission_id', submission.id).delete()
  if (code.length)
    await trx
      .insertQuery()
      .table('ai_code_sources')
      .multiInsert(
        code.map((file) => ({
          submission_id: submission.id,
          course_id: submission.course_id,
          student_id: submission.student_id,
          name: file.name.slice(0, 300),
          language: file.language,
          content: file.content,
        }))
      )
}
