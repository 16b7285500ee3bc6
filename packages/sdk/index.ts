/*
 * @oryne/sdk: what a plugin may import from Oryne. A workspace package whose
 * entry re-exports core's public surface (core/sdk/index.ts), so that plugins
 * in plugins/, in ORYNE_PLUGIN_PATHS and installed from npm all import it the
 * same way: `import { definePlugin } from '@oryne/sdk'`.
 */
export * from '../../core/sdk/index.js'
