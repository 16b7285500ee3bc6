import { defineError } from '../../oryne_error.js'

/* Forms of tenant collections, public ones included (docs/collections.md, "Forms") */
export const E_FORM_NOT_FOUND = defineError(
  'ERR_FORM_NOT_FOUND',
  404,
  'No form "%s"',
  'Check the address of the form; it may have been removed or made private.'
)
export const E_FORM_EXISTS = defineError(
  'ERR_FORM_EXISTS',
  409,
  'A form "%s" already exists',
  'Form addresses are unique in the institution: choose another slug.'
)
export const E_FORM_INVALID = defineError(
  'ERR_FORM_INVALID',
  422,
  'The form does not fit the fields of collection "%s"',
  'Fix the problems listed in error.details (a field the collection does not have, a required field missing from the form, a condition on a later field).'
)
export const E_FORM_CLOSED = defineError(
  'ERR_FORM_CLOSED',
  409,
  'The form "%s" takes no more submissions',
  'The form was closed by the institution or has all the submissions it takes.'
)
export const E_FORM_TOKEN_INVALID = defineError(
  'ERR_FORM_TOKEN_INVALID',
  422,
  'The form token is invalid or expired',
  'Open the form again (GET /api/v1/public/forms/<slug>) and send its new token with the submission.'
)
export const E_FORM_TOO_FAST = defineError(
  'ERR_FORM_TOO_FAST',
  422,
  'The form was sent too soon after it was opened',
  'Fill the form in, then send it (error.details.min_fill_seconds says how long at least).'
)
export const E_FORM_HONEYPOT = defineError(
  'ERR_FORM_HONEYPOT',
  422,
  'The submission filled the hidden "website" field',
  'Leave the hidden website field empty: only automated senders fill it.'
)
