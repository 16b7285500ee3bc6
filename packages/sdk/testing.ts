/* @oryne/sdk/testing: helpers for a plugin's own Japa tests (core/sdk/testing.ts). */
export * from '../../core/sdk/testing.js'
