import type { ResourceModel } from '../resources/model.js'
import { queryTerms } from './document.js'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char])

/**
 * The searchable fields of a hit in which a query term starts a word, as
 * HTML-escaped text with the matching prefixes wrapped in <mark>. Only
 * fields present in the record are used, so a field the caller may not see
 * is never echoed back; the same for both drivers.
 */
export function highlightsOf(
  model: ResourceModel,
  record: Record<string, unknown>,
  query: string
): Record<string, string> {
  const terms = queryTerms(query)
  const highlights: Record<string, string> = {}
  if (!terms.length) return highlights
  for (const field of model.searchFields) {
    const value = record[field.name]
    if (typeof value !== 'string' || !value) continue
    let marked = ''
    let found = false
    // Words are runs of letters and digits, as in the index.
    for (const part of value.split(/([\p{L}\p{N}]+)/u)) {
      const lower = part.toLowerCase()
      const term = terms.find((candidate) => lower.startsWith(candidate))
      if (part && term) {
        found = true
        marked += `<mark>${escapeHtml(part.slice(0, term.length))}</mark>${escapeHtml(part.slice(term.length))}`
      } else marked += escapeHtml(part)
    }
    if (found) highlights[field.name] = marked
  }
  return highlights
}
