import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Runs the bundled action as the runner does: a child `node dist/index.js`
 * with inputs in INPUT_* variables and GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files.
 */

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The bundle the runner runs; ACTION_BUNDLE points the suite at another build (an older one, to see a test fail on it). */
export const BUNDLE = process.env.ACTION_BUNDLE || join(ROOT, 'dist', 'index.js')

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  /** The GITHUB_OUTPUT file as written (each output should appear once). */
  outputFile: string
  summary: string
  /** ms from spawn to exit. */
  wallMs: number
}

/** The `run` action's entry (it imports the bundle). */
export const RUN_ENTRY = join(ROOT, 'run', 'main.js')

/** The `review-app` action's entry. */
export const REVIEW_APP_ENTRY = join(ROOT, 'review-app', 'main.js')

export interface RunOptions {
  env: Record<string, string>
  /** The file Node runs: the deploy action's bundle by default, or another action's entry (RUN_ENTRY). */
  entry?: string
  /** Node binary; default ACTION_NODE, else the one running this process. */
  node?: string
  /** Kill the process after this long (a hung action fails the test, not the suite). */
  killAfterMs?: number
  /** Called with each stdout chunk as it arrives. */
  onStdout?: (chunk: string) => void
  /** Print the action's output through to this process's stdout (the demo). */
  inherit?: boolean
  /** Called with the child once spawned (signals tests). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void
}

/** Parses the GITHUB_OUTPUT file format (`name<<delimiter` … `delimiter`, or `name=value`). */
export function parseOutputFile(content: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = content.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i])
      out[name] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

/** Every run of this process, for suite-wide checks (the secrets scan). */
export const recordedRuns: { run: ActionRun; env: Record<string, string> }[] = []

export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'scalingo-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  // Only what a runner would give the step: no inherited INPUT_* or GITHUB_* from this process.
  const base: Record<string, string> = {}
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) {
    const v = process.env[k]
    if (v) base[k] = v
  }
  const env = { ...base, RUNNER_TEMP: dir, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, ...opts.env }
  const started = Date.now()
  const child = spawn(opts.node ?? (process.env.ACTION_NODE || process.execPath), [opts.entry ?? BUNDLE], {
    env,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  opts.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (c: string) => {
    stdout += c
    opts.onStdout?.(c)
    if (opts.inherit) process.stdout.write(c)
  })
  child.stderr.on('data', (c: string) => {
    stderr += c
    if (opts.inherit) process.stderr.write(c)
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(res =>
    child.on('close', (c, s) => res([c, s]))
  )
  clearTimeout(killer)
  const wallMs = Date.now() - started
  const outputText = await readFile(outputFile, 'utf8')
  const outputs = parseOutputFile(outputText)
  const summary = await readFile(summaryFile, 'utf8')
  await rm(dir, { recursive: true, force: true })
  const result = { code, signal, stdout, stderr, outputs, outputFile: outputText, summary, wallMs }
  recordedRuns.push({ run: result, env: opts.env })
  return result
}

/** Peak RSS (VmHWM) and CPU time (utime + stime) of a child, sampled from /proc until it exits. */
export function watchProcess(child: ChildProcess): () => { peakKb: number; cpuMs: number } {
  let peakKb = 0
  let cpuMs = 0
  const tick = 1000 / 100 // USER_HZ
  const read = (): void => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status)
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]))
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      cpuMs = (Number(stat[11]) + Number(stat[12])) * tick
    } catch {
      // exited
    }
  }
  const timer = setInterval(read, 10)
  child.on('exit', () => clearInterval(timer))
  return () => ({ peakKb, cpuMs })
}
