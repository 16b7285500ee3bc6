import { bareContentType } from './purposes.js'

/*
 * What a stored file is, decided by its extension and its first bytes, never
 * by the type a client sends: a browser told `text/html` for `x.PDF` would
 * render it. Each extension Oryne accepts names one type; a type with a
 * signature must start with it, and text must not look like one of the binary
 * formats (nor hold a NUL byte). Other extensions (an operator's
 * ORYNE_UPLOAD_EXTENSIONS) are stored as application/octet-stream.
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

const TYPE_OF_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain',
  csv: 'text/csv',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
}

/** How many leading bytes contentMatches needs. */
export const SNIFF_BYTES = 16

/** The lower-case extension of a file name, without the dot; '' when it has none. */
export function extensionOf(name: string) {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

/** The type a file name's extension names, or undefined for extensions Oryne has no type for. */
export function typeOfName(name: string): string | undefined {
  return TYPE_OF_EXTENSION[extensionOf(name)]
}

function isWebp(head: Uint8Array) {
  return (
    Buffer.from(head.subarray(0, 4)).toString('latin1') === 'RIFF' &&
    Buffer.from(head.subarray(8, 12)).toString('latin1') === 'WEBP'
  )
}

function startsWithSignature(type: string, head: Uint8Array) {
  if (type === 'image/webp') return isWebp(head)
  return (SIGNATURES[type] ?? []).some((signature) =>
    signature.every((byte, at) => head[at] === byte)
  )
}

/** False when `head` is not what the type says: a wrong signature, or binary bytes declared as text. */
export function contentMatches(contentType: string, head: Uint8Array) {
  const type = bareContentType(contentType)
  if (type.startsWith('text/'))
    return (
      !head.includes(0) &&
      !isWebp(head) &&
      !Object.keys(SIGNATURES).some((binary) => startsWithSignature(binary, head))
    )
  if (type === 'image/webp' || SIGNATURES[type]) return startsWithSignature(type, head)
  return true
}

/**
 * The type to store a file named `name` as, given its first bytes: the type its
 * extension names when the bytes agree, application/octet-stream for an
 * extension with no known type, and undefined when they disagree.
 */
export function agreedContentType(name: string, head: Uint8Array): string | undefined {
  const type = typeOfName(name)
  if (!type) return 'application/octet-stream'
  return contentMatches(type, head) ? type : undefined
}

/*
 * Types a browser would run rather than show (markup, scripts, SVG). Downloads
 * are always attachments with nosniff; these are also served as opaque bytes,
 * whatever an older row or a plugin recorded.
 */
const ACTIVE = /^(text\/(html|xml|javascript|ecmascript|xsl)|application\/(xhtml\+xml|xml|javascript|ecmascript|x-javascript)|image\/svg\+xml)$|\+xml$/

/** The Content-Type a download is served with. */
export function servedContentType(stored: string) {
  const type = bareContentType(stored)
  return !type || ACTIVE.test(type) ? 'application/octet-stream' : stored
}
