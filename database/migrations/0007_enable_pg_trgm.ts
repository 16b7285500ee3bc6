import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Trigram matching for search (typo tolerance). The extension lives in
 * `public`; tenant schemas reach its operator class and operators
 * schema-qualified (public.gin_trgm_ops, OPERATOR(public.<%)). pg_trgm is a
 * trusted extension, so the database owner may create it.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public')
  }

  async down() {
    // Tenant indexes depend on it; dropping the extension is left to an operator.
  }
}
