import vine from '@vinejs/vine'

/** Words that name platform surfaces and would be confusing or dangerous as subdomains. */
export const RESERVED_SLUGS = new Set([
  'admin',
  'api',
  'app',
  'assets',
  'auth',
  'billing',
  'cdn',
  'console',
  'dashboard',
  'docs',
  'help',
  'mail',
  'metrics',
  'oryne',
  'platform',
  'public',
  'root',
  'static',
  'status',
  'support',
  'system',
  'template',
  'tenant',
  'tenants',
  'test',
  'www',
])

/** Lowercase letters, digits and single hyphens; 3 to 40 characters; not at either end. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,39}$/

export const tenantSlugRule = vine
  .string()
  .trim()
  .regex(SLUG_PATTERN)
  .notIn([...RESERVED_SLUGS])
