import { bareContentType } from './purposes.js'

/*
 * The first bytes of the formats whose content type a client could easily get
 * wrong or lie about. A confirmed upload declared as one of these must start
 * with its signature; other types are taken as declared (text has none).
 */
const ZIP = [0x50, 0x4b, 0x03, 0x04]
const SIGNATURES: Record<string, number[][]> = {
  'application/pdf': [[0x25, 0x50, 0x44, 0x46, 0x2d]],
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/gif': [
    [0x47, 0x49, 0x46, 0x38, 0x37, 0x61],
    [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
  ],
  'application/zip': [ZIP],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [ZIP],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [ZIP],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': [ZIP],
  'application/vnd.oasis.opendocument.text': [ZIP],
  'application/vnd.oasis.opendocument.spreadsheet': [ZIP],
}

/** How many leading bytes contentMatches needs. */
export const SNIFF_BYTES = 16

/** False when the type has a known signature and `head` does not start with it. */
export function contentMatches(contentType: string, head: Uint8Array) {
  const type = bareContentType(contentType)
  if (type === 'image/webp')
    return (
      Buffer.from(head.subarray(0, 4)).toString('latin1') === 'RIFF' &&
      Buffer.from(head.subarray(8, 12)).toString('latin1') === 'WEBP'
    )
  const signatures = SIGNATURES[type]
  if (!signatures) return true
  return signatures.some((signature) => signature.every((byte, at) => head[at] === byte))
}
