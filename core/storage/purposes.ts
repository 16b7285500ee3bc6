/*
 * Upload purposes: what a presigned upload is for, and its limits (largest
 * size, accepted content types). Core's are declared in config/uploads.ts;
 * plugins register theirs through the SDK (`registerUploadPurpose`) as
 * `<plugin>.<name>`.
 */

export type UploadPurpose = {
  /** Largest upload, in bytes. */
  maxBytes: number
  /** Accepted content types, lower case: `application/pdf`, or `image/*` for a whole family. */
  contentTypes: string[]
  /** Folder inside the tenant's storage; default `uploads/<purpose>`. */
  folder?: string
  description?: string
}

const NAME = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)?$/
const purposes = new Map<string, UploadPurpose>()

/** Registers a purpose; registering the same name again replaces it (plugin reloads). */
export function registerUploadPurpose(name: string, purpose: UploadPurpose) {
  if (!NAME.test(name))
    throw new TypeError(`Upload purpose "${name}" must look like "attachment" or "<plugin>.<name>"`)
  if (!Number.isSafeInteger(purpose.maxBytes) || purpose.maxBytes <= 0)
    throw new TypeError(`Upload purpose "${name}": maxBytes must be a positive integer`)
  if (!purpose.contentTypes.length)
    throw new TypeError(`Upload purpose "${name}": list at least one content type`)
  purposes.set(name, {
    ...purpose,
    contentTypes: purpose.contentTypes.map((type) => type.trim().toLowerCase()),
  })
}

export function uploadPurpose(name: string): UploadPurpose | undefined {
  return purposes.get(name)
}

export function uploadPurposes(): Array<{ name: string } & UploadPurpose> {
  return [...purposes].map(([name, purpose]) => ({ name, ...purpose }))
}

/** `text/csv; charset=utf-8` -> `text/csv`. */
export function bareContentType(value: string | null | undefined) {
  return (value ?? '').split(';')[0].trim().toLowerCase()
}

export function acceptsContentType(purpose: UploadPurpose, contentType: string) {
  const bare = bareContentType(contentType)
  return purpose.contentTypes.some((allowed) =>
    allowed.endsWith('/*') ? bare.startsWith(allowed.slice(0, -1)) : allowed === bare
  )
}
