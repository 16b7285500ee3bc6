import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import tar from 'tar-stream'
import {
  E_BACKUP_CORRUPT,
  E_BACKUP_KEY_MISSING,
  E_BACKUP_NOT_FOUND,
  OryneError,
} from '../errors.js'
import { Digest } from './digest.js'

/**
 * An archive is a tar.gz (`tar tzf` lists it): manifest.json first, then one
 * entry per table and per file. Encrypted archives wrap the same bytes in
 * AES-256-GCM: "ORYNEENC" + version byte + 12-byte IV + ciphertext + 16-byte tag.
 */
const MAGIC = Buffer.from('ORYNEENC')
const HEADER = MAGIC.length + 1 + 12
const TAG = 16

/** The encryption key: ORYNE_BACKUP_KEY (32 bytes, base64), else one derived from APP_KEY. */
function backupKey(): Buffer {
  const configured = process.env.ORYNE_BACKUP_KEY
  if (configured) {
    const key = Buffer.from(configured, 'base64')
    if (key.length !== 32)
      throw new E_BACKUP_KEY_MISSING(['ORYNE_BACKUP_KEY must be 32 bytes, base64-encoded'])
    return key
  }
  if (process.env.APP_KEY)
    return createHash('sha256').update(`oryne-backup:${process.env.APP_KEY}`).digest()
  throw new E_BACKUP_KEY_MISSING([
    'No key to encrypt or decrypt backups with (ORYNE_BACKUP_KEY or APP_KEY)',
  ])
}

/** AES-256-GCM with the framing above, as a stream. */
class Encrypt extends Transform {
  #iv = randomBytes(12)
  #cipher = createCipheriv('aes-256-gcm', backupKey(), this.#iv)
  #started = false

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (!this.#started) {
      this.#started = true
      this.push(Buffer.concat([MAGIC, Buffer.from([1]), this.#iv]))
    }
    callback(null, this.#cipher.update(chunk))
  }

  _flush(callback: TransformCallback) {
    const final = this.#cipher.final()
    callback(null, Buffer.concat([final, this.#cipher.getAuthTag()]))
  }
}

export type WrittenArchive = { path: string; size: number; sha256: string; encrypted: boolean }

/**
 * Writes an archive to `path`, through `path.partial` renamed at the end: a
 * crash or an error never leaves a file that looks like a finished archive.
 */
export async function writeArchive(
  path: string,
  options: { encrypt?: boolean },
  fill: (pack: tar.Pack) => Promise<void>
): Promise<WrittenArchive> {
  await mkdir(dirname(path), { recursive: true })
  const partial = `${path}.partial`
  const pack = tar.pack()
  const digest = new Digest()
  const stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream> = [
    pack as unknown as Readable,
    createGzip({ level: 3 }),
    ...(options.encrypt ? [new Encrypt()] : []),
    digest,
    createWriteStream(partial),
  ]
  const written = pipeline(stages as any)
  try {
    await fill(pack)
    pack.finalize()
    await written
    await rename(partial, path)
  } catch (error) {
    pack.destroy()
    await written.catch(() => {})
    await unlink(partial).catch(() => {})
    throw error
  }
  return { path, size: digest.bytes, sha256: digest.hex(), encrypted: Boolean(options.encrypt) }
}

/** Adds one entry from a file on disk, with its size known up front as tar needs. */
export function addFileEntry(pack: tar.Pack, name: string, source: string, size: number) {
  return new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size, mode: 0o600 }, (error) =>
      error ? reject(error) : resolve()
    )
    const input = createReadStream(source)
    input.on('error', reject)
    input.pipe(entry as unknown as NodeJS.WritableStream)
  })
}

export function addEntry(pack: tar.Pack, name: string, content: string | Buffer) {
  return new Promise<void>((resolve, reject) => {
    pack.entry({ name, mode: 0o600 }, content, (error) => (error ? reject(error) : resolve()))
  })
}

/** The archive's bytes as gzip: decrypted first when the file is an encrypted archive. */
async function gzipSource(file: string): Promise<{ source: Readable; encrypted: boolean }> {
  let size: number
  try {
    const stats = await stat(file)
    size = stats.size
  } catch {
    throw new E_BACKUP_NOT_FOUND([file])
  }
  const handle = await open(file, 'r')
  const head = Buffer.alloc(HEADER)
  const tag = Buffer.alloc(TAG)
  try {
    await handle.read(head, 0, HEADER, 0)
    if (!head.subarray(0, MAGIC.length).equals(MAGIC))
      return { source: createReadStream(file), encrypted: false }
    if (size < HEADER + TAG)
      throw new E_BACKUP_CORRUPT([file, 'the encrypted archive is truncated'])
    await handle.read(tag, 0, TAG, size - TAG)
  } finally {
    await handle.close()
  }
  const decipher = createDecipheriv('aes-256-gcm', backupKey(), head.subarray(MAGIC.length + 1))
  decipher.setAuthTag(tag)
  const body = createReadStream(file, { start: HEADER, end: size - TAG - 1 })
  body.on('error', (error) => decipher.destroy(error))
  return { source: body.pipe(decipher), encrypted: true }
}

/** An error thrown by the caller's entry handler, kept apart from damage in the archive. */
class HandlerError extends Error {
  constructor(readonly original: unknown) {
    super('handler failed')
  }
}

/**
 * Reads an archive entry by entry, in order; `onEntry` must consume the body.
 * Any damage — truncation, a bad gzip checksum, a broken tar header, a failed
 * decryption — is ERR_BACKUP_CORRUPT; errors of `onEntry` pass through as they are.
 */
export async function readArchive(
  file: string,
  onEntry: (name: string, body: AsyncIterable<Buffer>) => Promise<void>
) {
  const { source, encrypted } = await gzipSource(file)
  const gunzip = createGunzip()
  const extract = tar.extract()
  let damage: Error | null = null
  const fail = (error: Error) => {
    damage ??= error
    extract.destroy(error)
  }
  source.on('error', fail)
  gunzip.on('error', fail)
  source.pipe(gunzip).pipe(extract as unknown as NodeJS.WritableStream)
  try {
    for await (const entry of extract) {
      try {
        await onEntry(entry.header.name, entry as unknown as AsyncIterable<Buffer>)
      } catch (error) {
        throw new HandlerError(error)
      }
      entry.resume()
    }
  } catch (caught) {
    // A damaged archive also surfaces inside the handler, reading an entry's body.
    const error = damage ?? caught
    if (error instanceof HandlerError) throw error.original
    if (error instanceof OryneError) throw error
    const message = (error as Error).message ?? String(error)
    // GCM authenticates only at the end: with another key, gzip or tar usually meets the garbage first.
    const reason =
      encrypted || /authenticate/.test(message)
        ? 'decryption failed (damaged, or encrypted with another key)'
        : message
    throw new E_BACKUP_CORRUPT([file, reason])
  } finally {
    source.destroy()
  }
}

/** Reads an entry's body whole (the manifest). */
export async function readAll(body: AsyncIterable<Buffer>) {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk)
  return Buffer.concat(chunks)
}
