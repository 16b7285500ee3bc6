import { defineError } from '@oryne/sdk'

/* Errors of the AI plugin (documented in docs/plugins/ai.md). */
export const E_AI_NOT_FOUND = defineError('ERR_AI_NOT_FOUND', 404, '%s %s not found')
export const E_AI_UNKNOWN_KIND = defineError(
  'ERR_AI_UNKNOWN_KIND',
  400,
  'Unknown model kind "%s"',
  'Use one of: recommendations, plagiarism, at_risk.'
)
export const E_AI_NOT_ENOUGH_DATA = defineError(
  'ERR_AI_NOT_ENOUGH_DATA',
  409,
  'Not enough data to train %s: %s',
  'Collect more interactions (or enrolments, grades, attendance) and train again.'
)
export const E_AI_MODEL_INVALID = defineError(
  'ERR_AI_MODEL_INVALID',
  422,
  'The model was refused: %s',
  'Upload an ONNX file whose inputs and outputs match the declaration, and that runs on a probe input.'
)
export const E_AI_NOT_PROMOTABLE = defineError(
  'ERR_AI_NOT_PROMOTABLE',
  409,
  'Model %s version %s cannot be promoted: %s',
  'Only a validated model at least as good as the promoted one replaces it (oryne ai models).'
)
export const E_AI_NO_MODEL = defineError(
  'ERR_AI_NO_MODEL',
  409,
  'No %s model is promoted for this tenant',
  'Train one (oryne ai train <kind> --tenant <slug>) or upload one, then promote it.'
)
export const E_AI_TEXT_TOO_LONG = defineError(
  'ERR_AI_TEXT_TOO_LONG',
  413,
  'The text has %s words; a synchronous check takes at most %s',
  'Check a shorter text, or attach it to a submission and read its report.'
)
export const E_AI_UNREADABLE_FILE = defineError(
  'ERR_AI_UNREADABLE_FILE',
  422,
  'No text could be read from %s: %s'
)
export const E_AI_DOCUMENT_EXISTS = defineError(
  'ERR_AI_DOCUMENT_EXISTS',
  409,
  'A reference document with external id "%s" exists already',
  'Delete it first (DELETE /api/v1/ai/plagiarism/documents/:id) to replace it.'
)
