/** The action's entry point: `dist/index.js` is this file bundled. */
import { keepYoungGenerationSmall } from './lib/heap.js'
import { run } from './main.js'

keepYoungGenerationSmall()
await run()
