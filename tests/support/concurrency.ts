/* A plugin's tests use the same helper through `@oryne/sdk/testing`. */
export { pool } from '#core/sdk/testing'
