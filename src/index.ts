/**
 * The actions' one bundle (`dist/index.js`). Run as the main module it is
 * the deploy action (action.yml); the other actions' entry files
 * (`run/main.js`, `review-app/main.js`) import it and call theirs.
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runReviewApp } from './actions/reviewapp.js'
import { runOneOff } from './actions/run.js'
import { keepYoungGenerationSmall } from './lib/heap.js'
import { run } from './main.js'

/** The deploy action. */
export async function deployAction(): Promise<void> {
  keepYoungGenerationSmall()
  await run()
}

/** The `run` action: a one-off command. */
export async function oneOffAction(): Promise<void> {
  keepYoungGenerationSmall()
  await runOneOff()
}

/** The `review-app` action: a pull request's review app, created, updated or destroyed. */
export async function reviewAppAction(): Promise<void> {
  keepYoungGenerationSmall()
  await runReviewApp()
}

/** Whether Node was started on this file (not imported by another action's entry). */
function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isMain()) await deployAction()
