// The baseline: what existing deploy actions and curl scripts do.
// Exchange the token, POST the deployment, GET it every 10 s until it ends,
// then download the whole build output and print it. No stream, no backoff.
const { API_URL, AUTH_URL, API_TOKEN, APP, SOURCE_URL, GIT_REF } = process.env

const basic = Buffer.from(`:${API_TOKEN}`).toString('base64')
const { token } = await (
  await fetch(`${AUTH_URL}/v1/tokens/exchange`, { method: 'POST', headers: { Authorization: `Basic ${basic}` } })
).json()
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' }
const created = await fetch(`${API_URL}/v1/apps/${APP}/deployments`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ deployment: { git_ref: GIT_REF, source_url: SOURCE_URL } })
})
let { deployment } = await created.json()
const running = ['queued', 'building', 'pushing', 'starting']
while (running.includes(deployment.status)) {
  await new Promise(r => setTimeout(r, 10_000))
  deployment = (await (await fetch(`${API_URL}/v1/apps/${APP}/deployments/${deployment.id}`, { headers })).json())
    .deployment
}
const output = await (await fetch(deployment.links.output, { headers })).text()
process.stdout.write(output)
console.log(`status: ${deployment.status}`)
process.exitCode = deployment.status === 'success' ? 0 : 1
