/*
 * Production entry of the HTTP API: `node build/bin/server.js` after
 * `npm run build` (the compiled `oryne serve`; HOST and PORT from the
 * environment). Workers and every other command: `node build/bin/cli.js <command>`.
 */
import { main } from '../cli/main.js'

await main([process.argv[0], 'oryne', 'serve', ...process.argv.slice(2)])
