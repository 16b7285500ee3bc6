import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

const urlTemplate = () =>
  vine
    .string()
    .trim()
    .maxLength(500)
    .regex(/^https:\/\/[^\s]+$/)

/** LMS settings a tenant admin can change (`oryne plugin settings lms --tenant <slug>`). */
export const lmsSettingsSchema = vine.object({
  /**
   * Join URL of a live session per provider. Placeholders: {tenant} (slug),
   * {course} (course code), {session} (session id) and {room} (a secret derived
   * from the app key, so that room names cannot be guessed from the others).
   */
  bbb_url_template: urlTemplate(),
  jitsi_url_template: urlTemplate(),
  /** Minutes before the start a live session can be joined. */
  join_opens_minutes_before: vine.number().withoutDecimals().min(0).max(240),
  /** A student joining this many minutes after the start is marked late. */
  late_after_minutes: vine.number().withoutDecimals().min(0).max(240),
  /** Lifetime of a signed download link. */
  download_link_ttl_seconds: vine.number().withoutDecimals().min(30).max(86_400),
  /** `lms.assignment.due_soon` is emitted once per assignment when it falls due within this window. */
  due_soon_hours: vine.number().withoutDecimals().min(1).max(168),
  /** Largest material or submission file (the HTTP body limit, 20 MB, caps it). */
  max_upload_mb: vine.number().withoutDecimals().min(1).max(20),
  /** Extensions accepted for materials and submission files (never html, svg or scripts). */
  allowed_extensions: vine
    .array(
      vine
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9]{1,10}$/)
        .notIn(['html', 'htm', 'svg', 'js', 'mjs', 'xhtml', 'xml', 'exe', 'bat', 'cmd', 'sh'])
    )
    .minLength(1)
    .maxLength(100),
})

export type LmsSettings = {
  bbb_url_template: string
  jitsi_url_template: string
  join_opens_minutes_before: number
  late_after_minutes: number
  download_link_ttl_seconds: number
  due_soon_hours: number
  max_upload_mb: number
  allowed_extensions: string[]
}

export const LMS_DEFAULTS: LmsSettings = {
  bbb_url_template: 'https://bbb.example.org/rooms/{tenant}-{course}-{session}-{room}/join',
  jitsi_url_template: 'https://meet.example.org/{tenant}-{course}-{session}-{room}',
  join_opens_minutes_before: 15,
  late_after_minutes: 10,
  download_link_ttl_seconds: 300,
  due_soon_hours: 24,
  max_upload_mb: 20,
  allowed_extensions: [
    'pdf',
    'txt',
    'md',
    'csv',
    'rtf',
    'doc',
    'docx',
    'odt',
    'ppt',
    'pptx',
    'odp',
    'xls',
    'xlsx',
    'ods',
    'png',
    'jpg',
    'jpeg',
    'gif',
    'webp',
    'mp3',
    'mp4',
    'webm',
    'zip',
  ],
}

export const lmsSettingsDeclaration = defineSettings(lmsSettingsSchema, LMS_DEFAULTS)

/** The current tenant's LMS settings (defaults for what the tenant has not set). */
export function lmsSettings(): Promise<LmsSettings> {
  return pluginSettings<LmsSettings>('lms')
}
