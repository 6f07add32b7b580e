/**
 * `npx tsx bench/stream-modes.ts`: for each stream behaviour of the sandbox
 * (framing × replay × cuts), the build-log lines the bundled action lost and
 * repeated. The e2e suite asserts zero; this prints the table for notes.
 */
import { STEADY_LOG as ALL, runAction, startSandbox, steadyBuild, type StreamBehaviour } from '../sandbox/index.js'

const rows = [
  '| framing | replay | cuts | lines lost | lines repeated | out of order | exit |',
  '|---|---|---|---|---|---|---|'
]
for (const framing of ['bare', 'newline', 'multi'] as StreamBehaviour['framing'][]) {
  for (const replay of ['all', 'none'] as StreamBehaviour['replay'][]) {
    for (const cutEveryMs of [undefined, 300]) {
      const sandbox = await startSandbox({
        scalingo: { timeline: steadyBuild(), stream: { framing, replay, cutEveryMs, linesPerFrame: 3 } }
      })
      const run = await runAction({ env: sandbox.env() })
      await sandbox.close()
      const shown = run.stdout.split('\n').filter(l => ALL.includes(l))
      const counts = ALL.map(l => shown.filter(x => x === l).length)
      const lost = counts.filter(c => c === 0).length
      const repeated = counts.reduce((n, c) => n + Math.max(0, c - 1), 0)
      const inOrder = JSON.stringify([...new Set(shown)]) === JSON.stringify(ALL.filter((_, i) => counts[i] > 0))
      rows.push(
        `| ${framing} | ${replay} | ${cutEveryMs ? `${cutEveryMs} ms` : 'none'} | ${lost} | ${repeated} | ${inOrder ? 'no' : 'yes'} | ${run.code} |`
      )
    }
  }
}
console.log(rows.join('\n'))
