import { registerUploadPurpose, type UploadPurpose } from '#core/storage/purposes'

/*
 * Presigned uploads (docs/storage.md, "Presigned uploads"): the purposes core
 * accepts and their limits. Plugins add theirs with `registerUploadPurpose`
 * from the SDK. The tenant quota, link lifetime and driver are environment
 * settings (core/storage/config.ts).
 */
const MB = 1024 * 1024

const OFFICE = [
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
]

export const corePurposes: Record<string, UploadPurpose> = {
  attachment: {
    maxBytes: 25 * MB,
    contentTypes: [
      'application/pdf',
      'image/*',
      'text/plain',
      'text/csv',
      'application/zip',
      ...OFFICE,
    ],
    description: 'Documents and images attached to records',
  },
  avatar: {
    maxBytes: 2 * MB,
    contentTypes: ['image/png', 'image/jpeg', 'image/webp'],
    folder: 'avatars',
    description: 'Profile pictures',
  },
  import: {
    maxBytes: 50 * MB,
    contentTypes: ['text/csv', OFFICE[1]],
    folder: 'imports',
    description: 'Spreadsheets for bulk imports',
  },
}

for (const [name, purpose] of Object.entries(corePurposes)) registerUploadPurpose(name, purpose)
