import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";

// Where each platform refreshes subscription (OAuth) tokens. The defaults are the providers' public
// token endpoints and the public client ids of their own CLIs (Claude Code, Codex), whose tokens
// these accounts hold; every value can be overridden (tests point them at upstream-sim). Google's
// token endpoint needs a client id and secret of the app that issued the token: set them.
export interface OAuthEndpoint {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

const DEFAULTS: Record<Platform, OAuthEndpoint | undefined> = {
  [Platform.UNSPECIFIED]: undefined,
  [Platform.ANTHROPIC]: {
    tokenUrl: "https://console.anthropic.com/v1/oauth/token",
    clientId: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    clientSecret: "",
  },
  [Platform.OPENAI]: {
    tokenUrl: "https://auth.openai.com/oauth/token",
    clientId: "app_EMoamEEZ73f0CkXaXp7hrann",
    clientSecret: "",
  },
  [Platform.GEMINI]: { tokenUrl: "https://oauth2.googleapis.com/token", clientId: "", clientSecret: "" },
  [Platform.ANTIGRAVITY]: { tokenUrl: "https://oauth2.googleapis.com/token", clientId: "", clientSecret: "" },
};

const ENV_NAMES: Record<Platform, string> = {
  [Platform.UNSPECIFIED]: "",
  [Platform.ANTHROPIC]: "ANTHROPIC",
  [Platform.OPENAI]: "OPENAI",
  [Platform.GEMINI]: "GEMINI",
  [Platform.ANTIGRAVITY]: "ANTIGRAVITY",
};

/** TOLLGATE_OAUTH_<PLATFORM>_TOKEN_URL / _CLIENT_ID / _CLIENT_SECRET over the defaults. */
export function oauthEndpointsFromEnv(env: NodeJS.ProcessEnv): Map<Platform, OAuthEndpoint> {
  const endpoints = new Map<Platform, OAuthEndpoint>();
  for (const platform of [Platform.ANTHROPIC, Platform.OPENAI, Platform.GEMINI, Platform.ANTIGRAVITY]) {
    const base = DEFAULTS[platform] as OAuthEndpoint;
    const prefix = `TOLLGATE_OAUTH_${ENV_NAMES[platform]}_`;
    endpoints.set(platform, {
      tokenUrl: env[`${prefix}TOKEN_URL`] || base.tokenUrl,
      clientId: env[`${prefix}CLIENT_ID`] ?? base.clientId,
      clientSecret: env[`${prefix}CLIENT_SECRET`] ?? base.clientSecret,
    });
  }
  return endpoints;
}
