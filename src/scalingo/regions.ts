/** Scalingo's regions as the action knows them, and the links built from a region and an app. */

export const KNOWN_REGIONS = ['osc-fr1', 'osc-secnum-fr1'] as const
export const DEFAULT_REGION = KNOWN_REGIONS[0]
export const DEFAULT_AUTH_URL = 'https://auth.scalingo.com'

export function isKnownRegion(region: string): boolean {
  return (KNOWN_REGIONS as readonly string[]).includes(region)
}

/** The regional API of a known region. */
export function regionApiUrl(region: string): string {
  return `https://api.${region}.scalingo.com`
}

/** The app's page in Scalingo's dashboard, as the CLI's `scalingo dashboard` opens it. */
export function dashboardUrl(region: string, app: string): string {
  return `https://dashboard.scalingo.com/apps/${encodeURIComponent(region)}/${encodeURIComponent(app)}`
}

/** The command that follows a deployment from a terminal. */
/** Where a one-off's output goes: the app's logs, filtered on its label. */
export function oneOffLogsCommand(region: string, app: string, label: string): string {
  return `scalingo --region ${region} --app ${app} logs --filter ${label || 'one-off'}`
}

export function followCommand(region: string, app: string): string {
  return `scalingo --region ${region} --app ${app} deployment-follow`
}
