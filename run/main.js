// The `run` action's entry: the repository's one bundle, its one-off pipeline.
import { oneOffAction } from '../dist/index.js'

await oneOffAction()
