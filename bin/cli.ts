/* Production entry of the `oryne` CLI: `node build/bin/cli.js worker|migrate|tenant …` after `npm run build`. */
import { main } from '../cli/main.js'

await main(process.argv)
