import vine, { type VineObject } from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { E_VALIDATION } from '../errors.js'
import type { PluginManifest, PluginSettingsDeclaration } from './define_plugin.js'

/**
 * Declares a plugin's settings: a VineJS object schema and the defaults a
 * tenant has until its admin changes them, type-checked against the schema.
 *
 * ```ts
 * settings: defineSettings(vine.object({ loan_days: vine.number().min(1).max(90) }), { loan_days: 14 })
 * ```
 */
export function defineSettings<Schema extends VineObject<any, any, any, any>>(
  schema: Schema,
  defaults: Infer<Schema>
): PluginSettingsDeclaration {
  return { schema, defaults }
}

const validators = new WeakMap<object, ReturnType<typeof vine.compile>>()

function validatorOf(declaration: PluginSettingsDeclaration) {
  let validator = validators.get(declaration.schema)
  if (!validator) {
    validator = vine.compile(declaration.schema)
    validators.set(declaration.schema, validator)
  }
  return validator
}

/** Names of the settings a manifest declares. */
export function settingNames(manifest: PluginManifest): string[] {
  return manifest.settings ? Object.keys(manifest.settings.schema.getProperties()) : []
}

/** The effective settings: the defaults, overridden by what the tenant stored. */
export function effectiveSettings(manifest: PluginManifest, stored: Record<string, unknown>) {
  return { ...(manifest.settings?.defaults ?? {}), ...stored }
}

/**
 * Validates `changes` on top of the current values against the schema: unknown
 * names and invalid values are ERR_VALIDATION with one detail per field.
 * Returns the validated values of the changed names (VineJS-coerced: "14"
 * becomes 14 for a number), and the names cleared: `null` or `""` clears a
 * setting, whatever its type, so that the plugin's default applies again (an
 * empty default empties it). Every setting can thus be switched back off.
 */
export async function validateSettingChanges(
  manifest: PluginManifest,
  current: Record<string, unknown>,
  changes: Record<string, unknown>
): Promise<{ values: Record<string, unknown>; cleared: string[] }> {
  const names = new Set(settingNames(manifest))
  const unknown = Object.keys(changes).filter((name) => !names.has(name))
  if (unknown.length) {
    throw new E_VALIDATION([], {
      details: unknown.map((name) => ({
        field: name,
        rule: 'setting',
        message: names.size
          ? `"${name}" is not a setting of ${manifest.name} (settings: ${[...names].join(', ')})`
          : `${manifest.name} has no settings`,
      })),
    })
  }
  const cleared = Object.keys(changes).filter(
    (name) => changes[name] === null || changes[name] === ''
  )
  const defaults = manifest.settings!.defaults as Record<string, unknown>
  const validated = (await validatorOf(manifest.settings!).validate({
    ...current,
    ...changes,
    ...Object.fromEntries(cleared.map((name) => [name, defaults[name]])),
  })) as Record<string, unknown>
  return {
    values: Object.fromEntries(
      Object.keys(changes)
        .filter((name) => !cleared.includes(name))
        .map((name) => [name, validated[name]])
    ),
    cleared,
  }
}

/** Problems of the defaults against the schema (for the catalog), each naming the field. */
export async function settingsDefaultsProblems(declaration: PluginSettingsDeclaration) {
  try {
    await validatorOf(declaration).validate(declaration.defaults)
    return []
  } catch (error) {
    const messages = (error as { messages?: Array<{ field: string; message: string }> }).messages
    if (!messages) return [`settings: ${(error as Error).message}`]
    return messages.map(({ field, message }) => `settings.defaults.${field}: ${message}`)
  }
}

/**
 * `key=value` pairs from the command line, as the values a JSON body would
 * carry: JSON arrays, objects and null are parsed, everything else stays a
 * string for VineJS to coerce ("14" for a number, "true" for a boolean).
 */
export function parseAssignments(pairs: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0)
      throw new E_VALIDATION([], {
        details: [{ field: pair, rule: 'assignment', message: 'expected key=value' }],
      })
    const raw = pair.slice(at + 1)
    let value: unknown = raw
    if (/^\s*[[{]/.test(raw) || raw === 'null') {
      try {
        value = JSON.parse(raw)
      } catch {
        value = raw
      }
    }
    values[pair.slice(0, at)] = value
  }
  return values
}
