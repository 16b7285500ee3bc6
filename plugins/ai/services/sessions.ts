import ort, { type InferenceSession } from '../onnx/runtime.js'
import { readFile } from '@oryne/sdk'

/*
 * ONNX Runtime sessions, cached per (tenant, model kind, version) with an LRU
 * bound on the bytes of the models held. A version never changes once stored,
 * so an entry never goes stale: promotion simply makes requests ask for
 * another key, and the old one ages out.
 */

let limitBytes = Number(process.env.ORYNE_AI_SESSION_CACHE_MB || 256) * 1024 * 1024

type Entry = { session: Promise<InferenceSession>; bytes: number; extra: Map<string, unknown> }
const entries = new Map<string, Entry>()
let held = 0

export type LoadedModel = {
  session: InferenceSession
  /** Per-model data a caller derives once (vocabulary maps), kept as long as the session. */
  memo<T>(name: string, make: () => T): T
}

function evict() {
  for (const [key, entry] of entries) {
    if (held <= limitBytes || entries.size <= 1) return
    entries.delete(key)
    held -= entry.bytes
    entry.session.then((session) => session.release()).catch(() => {})
  }
}

/** The session of a stored model of the current tenant, loaded once and kept while it is recently used. */
export async function modelSession(
  tenantId: string,
  model: { id: string; kind: string; version: number; file_id: string; size_bytes: number }
): Promise<LoadedModel> {
  const key = `${tenantId}:${model.kind}:${model.version}:${model.id}`
  let entry = entries.get(key)
  if (entry) {
    // Most recently used goes last.
    entries.delete(key)
    entries.set(key, entry)
  } else {
    const session = readFile(model.file_id).then((bytes) => ort.InferenceSession.create(bytes))
    entry = { session, bytes: Number(model.size_bytes), extra: new Map() }
    entries.set(key, entry)
    held += entry.bytes
    session.catch(() => {
      if (entries.get(key) === entry) {
        entries.delete(key)
        held -= entry!.bytes
      }
    })
    evict()
  }
  const found = entry
  return {
    session: await found.session,
    memo<T>(name: string, make: () => T): T {
      if (!found.extra.has(name)) found.extra.set(name, make())
      return found.extra.get(name) as T
    },
  }
}

/** Changes the bound (ORYNE_AI_SESSION_CACHE_MB at start); the least recently used models go at once. */
export function limitSessionCache(bytes: number) {
  limitBytes = bytes
  evict()
}

/** What the cache holds, least recently used first. */
export function sessionCacheStats() {
  return { keys: [...entries.keys()], bytes: held, limit_bytes: limitBytes }
}
