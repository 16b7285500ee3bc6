import { defineConfig } from '@adonisjs/core/bodyparser'

/*
 * Body-size limits (docs/api.md, "Body size"): a larger body is refused with
 * 413 ERR_PAYLOAD_TOO_LARGE before it is read further. ORYNE_BODY_LIMIT applies
 * to JSON and form bodies, ORYNE_UPLOAD_LIMIT to multipart uploads (`512kb`, `5mb`).
 */
const bodyLimit = process.env.ORYNE_BODY_LIMIT || '1mb'
const uploadLimit = process.env.ORYNE_UPLOAD_LIMIT || '20mb'

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    limit: bodyLimit,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: true,
    limit: bodyLimit,
    types: [
      'application/json',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/csp-report',
    ],
  },
  multipart: {
    autoProcess: true,
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: uploadLimit,
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
