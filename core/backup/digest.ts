import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** Passes bytes through while counting them, their lines (COPY rows) and their sha256. */
export class Digest extends Transform {
  #hash = createHash('sha256')
  bytes = 0
  lines = 0

  update(chunk: Buffer) {
    this.#hash.update(chunk)
    this.bytes += chunk.length
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) this.lines++
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.update(chunk)
    callback(null, chunk)
  }

  hex() {
    return this.#hash.digest('hex')
  }
}
