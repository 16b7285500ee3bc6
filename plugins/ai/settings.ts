import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

const int = (min: number, max: number) => vine.number().withoutDecimals().min(min).max(max)

/** AI settings a tenant admin can change (`oryne plugin settings ai --tenant <slug>`). */
export const aiSettingsSchema = vine.object({
  /** Content words per k-gram hashed by winnowing (function words are skipped). */
  winnow_k: int(2, 30),
  /** Winnowing window (hashes); any shared run of w + k - 1 content words is found for sure. */
  winnow_window: int(1, 100),
  /** A passage is reported when the scorer's probability reaches this. */
  plagiarism_threshold: vine.number().min(0).max(1),
  /** A fingerprint held by more sources than this is what everyone writes: it retrieves no candidate. */
  plagiarism_common_fingerprint_sources: int(2, 1_000_000),
  /** Largest text `POST /plagiarism/check` takes synchronously. */
  plagiarism_sync_max_words: int(100, 20_000),
  /** Text in quotation marks is not reported as copied. */
  plagiarism_exclude_quotes: vine.boolean(),
  /** Everything after a "References" / "Bibliography" / "Works cited" heading is not reported. */
  plagiarism_exclude_bibliography: vine.boolean(),
  /** Latent factors of the recommender. */
  recommendation_factors: int(2, 128),
  /** Training iterations of the recommender (alternating least squares). */
  recommendation_iterations: int(1, 50),
})

export type AiSettings = {
  winnow_k: number
  winnow_window: number
  plagiarism_threshold: number
  plagiarism_common_fingerprint_sources: number
  plagiarism_sync_max_words: number
  plagiarism_exclude_quotes: boolean
  plagiarism_exclude_bibliography: boolean
  recommendation_factors: number
  recommendation_iterations: number
}

export const AI_DEFAULTS: AiSettings = {
  winnow_k: 3,
  winnow_window: 4,
  plagiarism_threshold: 0.5,
  plagiarism_common_fingerprint_sources: 500,
  plagiarism_sync_max_words: 5000,
  plagiarism_exclude_quotes: true,
  plagiarism_exclude_bibliography: true,
  recommendation_factors: 24,
  recommendation_iterations: 10,
}

export const aiSettingsDeclaration = defineSettings(aiSettingsSchema, AI_DEFAULTS)

/** The current tenant's AI settings. */
export function aiSettings(): Promise<AiSettings> {
  return pluginSettings<AiSettings>('ai')
}
