import type { Deployment, ScalingoClient } from '../scalingo/client.js'

/** What runs on an app now: its latest successful deployment. */
export async function lastSuccessful(client: ScalingoClient, perPage: number): Promise<Deployment | undefined> {
  return (await client.listDeployments(perPage)).find(d => d.status === 'success')
}
