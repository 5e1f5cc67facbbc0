import { app, authentication } from '@microsoft/teams-js';

/**
 * The tab's sign-in. In Teams: Teams SSO (`authentication.getAuthToken()`, for the app's
 * webApplicationInfo resource). Locally there is no Teams host: the bot (local mode only) hands
 * out a token from the sandbox's Entra stand-in for the user named in `?user=` (like
 * PLAYGROUND_USER), else the first admin. Either way the server validates the same token shape.
 */

export interface TabConfig {
  localMode: boolean;
  devUser?: string;
}

export interface SignIn {
  token(): Promise<string>;
  mode: 'teams' | 'dev';
  devUser?: string;
}

export async function signIn(config: TabConfig): Promise<SignIn> {
  if (config.localMode) {
    const devUser = new URLSearchParams(location.search).get('user') ?? config.devUser;
    let cached: { token: string; at: number } | undefined;
    return {
      mode: 'dev',
      ...(devUser ? { devUser } : {}),
      async token() {
        // Sandbox tokens live an hour; ask again after 50 minutes.
        if (cached && Date.now() - cached.at < 50 * 60_000) return cached.token;
        const res = await fetch('/tab/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ oid: devUser ?? '' }) });
        const body = (await res.json()) as { token?: string; message?: string };
        if (!res.ok || !body.token) throw new Error(`Dev sign-in failed: ${body.message ?? res.status}`);
        cached = { token: body.token, at: Date.now() };
        return body.token;
      },
    };
  }
  await app.initialize();
  // Teams caches and renews the token itself; ask for it before each call.
  return { mode: 'teams', token: () => authentication.getAuthToken() };
}
