// The `review-app` action's entry: the repository's one bundle, its review-app pipeline.
import { reviewAppAction } from '../dist/index.js'

await reviewAppAction()
