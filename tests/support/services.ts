/* The test run's services now live in core, which `oryne plugin test` shares (core/runtime/test_services.ts). */
export { startTestServices, withDatabase, type TestServices } from '#core/runtime/test_services'
