/*
 * The conformance check (docs/api.md, "The contract is checked"): every answer
 * the server gives to a route of /api/v1 is compared with what the OpenAPI
 * document says of that operation: the status is listed, the body matches the
 * status's schema, and an error's code is one the operation lists for that
 * status. The test runner turns it on (ORYNE_CONFORMANCE=1) and fails the run on
 * any violation; a server never runs it otherwise.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { buildOpenApiDocument } from './document.js'

export type Violation = {
  /** `POST /api/v1/library/circulation/issue` (the document's path). */
  operation: string
  status: number
  problem: string
  url: string
  requestId?: string
}

type Operation = { responses?: Record<string, any> }
type Entry = { path: string; matcher: RegExp; operation: Operation }

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void

let documentBuilt: Promise<Map<string, Entry[]>> | undefined
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true })
addFormats(ajv)
const validators = new Map<string, ValidateFunction>()
const violations: Violation[] = []

/** The generic document (every plugin) indexed by `METHOD path`, built once. */
function operationsByPattern(version: string) {
  documentBuilt ??= (async () => {
    const document = await buildOpenApiDocument({ version, tenant: null })
    ajv.addSchema(document as object, 'oryne')
    const index = new Map<string, Entry[]>()
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
        // The router's pattern of an OpenAPI path: `{id}` is `:id`; fixed variants stay literal.
        const key = `${method.toUpperCase()} ${path}`
        const matcher = new RegExp(
          `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`
        )
        index.set(key, [{ path, matcher, operation }])
      }
    }
    return index
  })()
  return documentBuilt
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

function validatorFor(path: string, method: string, status: string, contentType: string) {
  const key = `${method} ${path} ${status} ${contentType}`
  let validate = validators.get(key)
  if (!validate) {
    const ref = `oryne#/${pointer('paths', path, method.toLowerCase(), 'responses', status, 'content', contentType, 'schema')}`
    validate = ajv.compile({ $ref: ref })
    validators.set(key, validate)
  }
  return validate
}

/** `/api/v1/library/fines/:id/waive` → the candidates to try for a URL path. */
function candidates(index: Map<string, Entry[]>, method: string, urlPath: string) {
  const found: Entry[] = []
  for (const [key, entries] of index) {
    if (!key.startsWith(`${method} `)) continue
    for (const entry of entries) if (entry.matcher.test(urlPath)) found.push(entry)
  }
  // The most literal path wins (`/plugins/installed` over `/plugins/{name}`).
  return found.sort(
    (a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0)
  )
}

export type Answer = {
  method: string
  /** The request's path, without the query string. */
  urlPath: string
  status: number
  contentType: string | undefined
  body: unknown
  /** The answer's headers, names in lower case (node's getHeaders()). */
  headers?: Record<string, unknown>
  requestId?: string
}

/** What is wrong with one answer, by the document (nothing: it conforms). */
export async function checkAnswer(answer: Answer, version: string): Promise<Violation[]> {
  const found: Violation[] = []
  const { method, urlPath, status } = answer
  if (method === 'HEAD' || method === 'OPTIONS' || !urlPath.startsWith('/api/v1/')) return found
  const index = await operationsByPattern(version)
  const [entry] = candidates(index, method, urlPath)
  // A path the document does not have is the router's 404/405, checked by their own tests.
  if (!entry) return found
  const note = (problem: string) =>
    found.push({
      operation: `${method} ${entry.path}`,
      status,
      problem,
      url: urlPath,
      requestId: answer.requestId,
    })
  const response = entry.operation.responses?.[String(status)]
  if (!response) {
    const code = (answer.body as any)?.error?.code
    note(
      `status ${status}${code ? ` ${code}` : ''} is not documented (documented: ${Object.keys(entry.operation.responses ?? {}).join(', ')})`
    )
    return found
  }
  // A header the operation requires for this status (a create's Location) must be sent.
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if ((header as { required?: boolean }).required && !answer.headers?.[name.toLowerCase()])
      note(`header ${name} is required for ${status} and was not sent`)
  }
  const contentType = (answer.contentType ?? '').split(';')[0].trim()
  if (contentType !== 'application/json' || !response.content?.['application/json']) return found
  const validate = validatorFor(entry.path, method, String(status), 'application/json')
  if (validate(answer.body)) return found
  const code = (answer.body as any)?.error?.code
  const codeError = validate.errors?.find((error) => error.keyword === 'enum')
  if (code && codeError && codeError.instancePath === '/error/code') {
    note(`error code ${code} is not listed for ${status} (listed: ${response.description})`)
    return found
  }
  const detail = (validate.errors ?? [])
    .slice(0, 3)
    .map((error) => `${error.instancePath || '/'} ${error.message}`)
    .join('; ')
  note(`body does not match the ${status} schema: ${detail}`)
  return found
}

/** Keeps what a check found, for the end of the run (tests/bootstrap.ts). */
export function keepViolations(found: Violation[]) {
  violations.push(...found)
}

export function conformanceViolations(): Violation[] {
  return violations
}
