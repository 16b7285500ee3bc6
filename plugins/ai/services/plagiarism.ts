import {
  onUniqueViolation,
  readTenantDb,
  recordAudit,
  tenantFilePath,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'
import { readFile } from 'node:fs/promises'
import { E_AI_DOCUMENT_EXISTS, E_AI_NOT_FOUND, E_AI_TEXT_TOO_LONG } from '../errors.js'
import { analyse, type AnalysedText } from '../plagiarism/document.js'
import {
  describePassage,
  detectPassages,
  fingerprintsOf,
  passageFeatures,
  type MatchKind,
  type Passage,
} from '../plagiarism/detect.js'
import { tokenize } from '../plagiarism/tokens.js'
import { aiSettings } from '../settings.js'
import { scorePassages } from './plagiarism_scorer.js'
import { extractText, isReadable } from './text_extraction.js'
import { seesCourseWork, submissionForCheck } from './school.js'
import { keepCode, priorCodeMatches, submissionCode, type CodeMatch } from './code_plagiarism.js'

/*
 * Plagiarism checks: the checked text is normalised and keyed
 * (plagiarism/document.ts); its fingerprints (winnowed content-key k-grams
 * and sentence sketches) find the candidate sources (prior submissions of
 * the tenant, its reference documents) through the hash index; passages are
 * detected against each (plagiarism/detect.ts); the ONNX scorer decides
 * which are reported. Offsets are characters of the ORIGINAL checked text
 * and source text.
 */

/** Sources aligned per check: the ones sharing the most fingerprints. */
const CANDIDATES = 30

export type Match = {
  source: { kind: 'submission' | 'document'; id: string; external_id?: string }
  start: number
  end: number
  source_start: number
  source_end: number
  probability: number
  /** How it was copied: word for word, with edits, or said differently. */
  kind: MatchKind
  /** Share of the passage's content words found in its source side (0-1). */
  similarity: number
}

export type CheckResult = { score: number; words: number; matches: Match[] }

type Scope = { excludeStudentId?: string | null; excludeSubmissionId?: string | null }

/** Checks a text against the tenant's sources. */
export async function checkText(text: string, scope: Scope = {}): Promise<CheckResult> {
  const {
    winnow_k: k,
    winnow_window: w,
    plagiarism_threshold: threshold,
    plagiarism_common_fingerprint_sources: common,
    plagiarism_exclude_quotes: quotes,
    plagiarism_exclude_bibliography: bibliography,
  } = await aiSettings()
  const query = analyse(text, { quotes, bibliography })
  const fingerprints = fingerprintsOf(query, k, w)
  if (!fingerprints.length) return { score: 0, words: query.words.length, matches: [] }
  const hashes = [...new Set(fingerprints.map((fp) => fp.hash))]

  // One statement, one round trip (under load each costs far more than its execution): the
  // sources sharing the most uncommon fingerprints, each weighed by its rarity (what a thousand
  // sources share says little), ranked on the hash index alone; exclusions applied to those.
  const sources = await readTenantDb(async (client, table) => {
    const exclusions: Array<[string, string]> = []
    if (scope.excludeStudentId) exclusions.push(['s.student_id', scope.excludeStudentId])
    if (scope.excludeSubmissionId) exclusions.push(['s.submission_id', scope.excludeSubmissionId])
    const result = await client.rawQuery(
      `WITH ranked AS (
         SELECT f.source_id, sum(r.weight) AS shared
           FROM ${table('ai_fingerprints', 'f')}
           JOIN (SELECT q.hash, 1.0 / q.sources AS weight FROM ${table('ai_fingerprint_frequency', 'q')}
                  WHERE q.hash = ANY(?::int[]) AND q.sources <= ?) r ON r.hash = f.hash
          GROUP BY f.source_id
          ORDER BY shared DESC, f.source_id
          LIMIT ?)
       SELECT s.id, s.kind, s.submission_id, s.external_id, s.text
         FROM ranked JOIN ${table('ai_plagiarism_sources', 's')} ON s.id = ranked.source_id
        WHERE true ${exclusions.map(([column]) => `AND ${column} IS DISTINCT FROM ?`).join(' ')}
        ORDER BY ranked.shared DESC, s.id
        LIMIT ?`,
      [hashes, common, CANDIDATES * 2, ...exclusions.map(([, value]) => value), CANDIDATES]
    )
    return result.rows as Array<{
      id: string
      kind: 'submission' | 'document'
      submission_id: string | null
      external_id: string
      text: string
    }>
  })

  const found: Array<{ source: (typeof sources)[number]; text: AnalysedText; passage: Passage }> =
    []
  for (const source of sources) {
    const analysed = analyse(source.text)
    for (const passage of detectPassages(query, analysed))
      found.push({ source, text: analysed, passage })
  }
  const probabilities = await scorePassages(found.map(({ passage }) => passageFeatures(passage)))

  const matches: Match[] = []
  const covered = new Uint8Array(query.words.length)
  found.forEach(({ source, text: analysed, passage }, i) => {
    if (probabilities[i] < threshold) return
    covered.fill(1, passage.qs, passage.qe)
    matches.push({
      source:
        source.kind === 'submission'
          ? { kind: 'submission', id: String(source.submission_id) }
          : { kind: 'document', id: String(source.id), external_id: source.external_id },
      start: query.words[passage.qs].start,
      end: query.words[passage.qe - 1].end,
      source_start: analysed.words[passage.ss].start,
      source_end: analysed.words[passage.se - 1].end,
      probability: Math.round(probabilities[i] * 1e4) / 1e4,
      ...describePassage(passage),
    })
  })
  matches.sort((a, b) => a.start - b.start || b.end - a.end)
  const score = covered.reduce((sum, value) => sum + value, 0) / query.words.length
  return { score: Math.round(score * 1e4) / 1e4, words: query.words.length, matches }
}

/** Checks a text on demand, synchronously up to the `plagiarism_sync_max_words` setting. */
export async function checkOnDemand(text: string) {
  const { plagiarism_sync_max_words: max } = await aiSettings()
  const words = tokenize(text).length
  if (words > max) throw new E_AI_TEXT_TOO_LONG([words, max])
  return checkText(text)
}

/** Stores a text as a source with its fingerprints (in the open transaction). */
async function indexSource(
  trx: Trx,
  source: {
    kind: 'submission' | 'document'
    text: string
    submission_id?: string
    course_id?: string
    student_id?: string
    external_id?: string
    title?: string
  }
) {
  const { winnow_k: k, winnow_window: w } = await aiSettings()
  const analysed = analyse(source.text)
  const [row] = await trx
    .insertQuery()
    .table('ai_plagiarism_sources')
    .insert({ ...source, words: analysed.words.length, k })
    .returning(['id', 'kind', 'external_id', 'title', 'words', 'created_at'])
  const fingerprints = fingerprintsOf(analysed, k, w)
  if (fingerprints.length) {
    await trx.rawQuery(
      `INSERT INTO ai_fingerprints (source_id, hash, position)
       SELECT ?, unnest(?::int[]), unnest(?::int[])`,
      [row.id, fingerprints.map((fp) => fp.hash), fingerprints.map((fp) => fp.position)]
    )
    // In hash order, so that concurrent indexing locks the counters in the same order.
    await trx.rawQuery(
      `INSERT INTO ai_fingerprint_frequency (hash, sources)
       SELECT h, 1 FROM (SELECT DISTINCT unnest(?::int[]) AS h) d ORDER BY h
       ON CONFLICT (hash) DO UPDATE SET sources = ai_fingerprint_frequency.sources + 1`,
      [fingerprints.map((fp) => fp.hash)]
    )
  }
  return row
}

/**
 * What the plagiarism checks keep of a student's work: the texts of their
 * submissions and their code files, compared with later submissions.
 */
export async function studentWork(trx: Trx, studentIds: string[]) {
  if (!studentIds.length) return { texts: [], code_files: [] }
  const [texts, codeFiles] = await Promise.all([
    trx
      .from('ai_plagiarism_sources')
      .whereIn('student_id', studentIds)
      .orderBy('id')
      .select('submission_id', 'course_id', 'words', 'text', 'created_at'),
    trx
      .from('ai_code_sources')
      .whereIn('student_id', studentIds)
      .orderBy('id')
      .select('submission_id', 'course_id', 'name', 'language', 'content', 'created_at'),
  ])
  return { texts, code_files: codeFiles }
}

/** Forgets a student's work: later checks no longer compare against it. */
export async function eraseStudentWork(trx: Trx, studentIds: string[]) {
  let erased = 0
  for (const studentId of studentIds) {
    const removed = await removeSources(trx, { student_id: studentId })
    erased += removed.length
  }
  if (studentIds.length) {
    erased += Number(await trx.from('ai_code_sources').whereIn('student_id', studentIds).delete())
  }
  return erased
}

/** Removes sources (their fingerprints cascade), keeping the frequency counters true. */
async function removeSources(
  trx: Trx,
  where: { id?: string; submission_id?: string; kind?: string; student_id?: string }
) {
  const rows = await trx.from('ai_plagiarism_sources').where(where).select('id')
  const ids = rows.map((row) => String(row.id))
  if (!ids.length) return []
  await trx.rawQuery(
    `UPDATE ai_fingerprint_frequency q SET sources = q.sources - d.n
       FROM (SELECT hash, count(DISTINCT source_id) AS n FROM ai_fingerprints
              WHERE source_id = ANY(?::bigint[]) GROUP BY hash ORDER BY hash) d
      WHERE q.hash = d.hash`,
    [ids]
  )
  return trx
    .from('ai_plagiarism_sources')
    .whereIn('id', ids)
    .delete()
    .returning(['id', 'external_id', 'title', 'words', 'created_at'])
}

/** The text a submission's check reads: its text, then the text of each readable file. */
async function submissionText(
  submission: NonNullable<Awaited<ReturnType<typeof submissionForCheck>>>
) {
  const parts = submission.text?.trim() ? [submission.text] : []
  const unreadable: string[] = []
  for (const file of submission.files) {
    if (!isReadable(file.name)) continue
    try {
      parts.push(await extractText(await readFile(tenantFilePath(file.key)), file.name))
    } catch {
      unreadable.push(file.name)
    }
  }
  return { text: parts.join('\n\n'), unreadable }
}

/**
 * Checks a handed-in submission against the tenant's other sources (the same
 * student's earlier attempts left out), stores its report, then adds it to
 * the sources later checks compare against. Running it again replaces both.
 */
export async function checkSubmission(submissionId: string) {
  const submission = await submissionForCheck(submissionId)
  if (!submission) throw new E_AI_NOT_FOUND(['Submission', submissionId])
  const { text, unreadable } = await submissionText(submission)
  const result = await checkText(text, {
    excludeStudentId: submission.student_id,
    excludeSubmissionId: submission.id,
  })
  const code = await submissionCode(submission.files)
  const codeMatches = await priorCodeMatches(submission, code)
  return withTenantDb(async (trx) => {
    const report = {
      submission_id: submission.id,
      course_id: submission.course_id,
      score: result.score,
      matches: JSON.stringify(result.matches),
      code_matches: JSON.stringify(codeMatches),
      words: result.words,
      checked_at: new Date(),
    }
    await trx.rawQuery(
      `INSERT INTO ai_plagiarism_reports (submission_id, course_id, score, matches, code_matches, words, checked_at)
       VALUES (:submission_id, :course_id, :score, :matches, :code_matches, :words, :checked_at)
       ON CONFLICT (submission_id) DO UPDATE
         SET score = EXCLUDED.score, matches = EXCLUDED.matches, code_matches = EXCLUDED.code_matches,
             words = EXCLUDED.words, checked_at = EXCLUDED.checked_at`,
      report
    )
    await keepCode(trx, submission, code)
    await removeSources(trx, { submission_id: submission.id })
    if (text.trim())
      await indexSource(trx, {
        kind: 'submission',
        text,
        submission_id: submission.id,
        course_id: submission.course_id,
        student_id: submission.student_id,
      })
    return {
      submission_id: submission.id,
      ...result,
      code_matches: codeMatches,
      unreadable_files: unreadable,
      text,
    }
  })
}

/** A submission's report, for the principal who may see it: unrestricted, or the course's teacher; 404 otherwise. */
export async function plagiarismReport(principal: Principal, submissionId: string) {
  const report = await readTenantDb((client, table) =>
    client.from(table('ai_plagiarism_reports', 'r')).where('r.submission_id', submissionId).first()
  )
  if (!report || !(await seesCourseWork(principal, String(report.course_id))))
    throw new E_AI_NOT_FOUND(['Plagiarism report of submission', submissionId])
  return {
    submission_id: String(report.submission_id),
    course_id: String(report.course_id),
    score: Number(report.score),
    words: Number(report.words),
    matches: report.matches as Match[],
    code_matches: report.code_matches as CodeMatch[],
    checked_at: new Date(report.checked_at).toISOString(),
  }
}

/** Re-checks a submission on demand, for the principal who may see its course's work. */
export async function recheckSubmission(principal: Principal, submissionId: string) {
  const submission = await submissionForCheck(submissionId)
  if (!submission || !(await seesCourseWork(principal, submission.course_id)))
    throw new E_AI_NOT_FOUND(['Submission', submissionId])
  await checkSubmission(submissionId)
  return plagiarismReport(principal, submissionId)
}

/* Reference documents: the tenant's own corpus checks compare against. */

export async function addDocument(
  input: { external_id: string; title: string; text: string },
  actor: string
) {
  return withTenantDb(async (trx) => {
    const taken = await trx
      .from('ai_plagiarism_sources')
      .where('external_id', input.external_id)
      .first()
    if (taken) throw new E_AI_DOCUMENT_EXISTS([input.external_id])
    // Two concurrent uploads of one id: the unique index decides, the loser hears why.
    const row = await onUniqueViolation(
      indexSource(trx, { kind: 'document', ...input }),
      () => new E_AI_DOCUMENT_EXISTS([input.external_id])
    )
    await recordAudit(trx, {
      actor,
      action: 'ai.plagiarism_documents.create',
      subject: `ai.plagiarism_documents:${row.id}`,
      data: { external_id: input.external_id, words: row.words },
    })
    return presentDocument(row)
  })
}

function presentDocument(row: Record<string, any>) {
  return {
    id: String(row.id),
    external_id: row.external_id,
    title: row.title,
    words: Number(row.words),
    created_at: new Date(row.created_at).toISOString(),
  }
}

export async function listDocuments(page: number, perPage: number) {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('ai_plagiarism_sources', 's'))
      .where('s.kind', 'document')
      .orderBy('s.id')
      .offset((page - 1) * perPage)
      .limit(perPage)
      .select('s.id', 's.external_id', 's.title', 's.words', 's.created_at')
  )
  return rows.map(presentDocument)
}

export async function deleteDocument(id: string, actor: string) {
  return withTenantDb(async (trx) => {
    const [row] = await removeSources(trx, { id, kind: 'document' })
    if (!row) throw new E_AI_NOT_FOUND(['Reference document', id])
    await recordAudit(trx, {
      actor,
      action: 'ai.plagiarism_documents.delete',
      subject: `ai.plagiarism_documents:${id}`,
      data: { external_id: row.external_id },
    })
    return presentDocument(row)
  })
}
