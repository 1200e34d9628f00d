import { AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";

// Where an account's requests go (DESIGN §5.8): its base URL or the platform's default, without
// trailing slashes; Antigravity API-key accounts are reached under `/antigravity`. One rule for the
// control plane (what it pushes to data planes and shows as effective_base_url) and the web admin
// (the preview while an account is typed in).

export const DEFAULT_BASE_URLS: Record<Platform, string> = {
  [Platform.UNSPECIFIED]: "",
  [Platform.ANTHROPIC]: "https://api.anthropic.com",
  [Platform.OPENAI]: "https://api.openai.com",
  [Platform.GEMINI]: "https://generativelanguage.googleapis.com",
  [Platform.ANTIGRAVITY]: "https://cloudcode-pa.googleapis.com",
};

export function effectiveBaseUrl(platform: Platform, type: AccountType, baseUrl: string): string {
  const base = (baseUrl.trim() || DEFAULT_BASE_URLS[platform]).replace(/\/+$/, "");
  if (base === "") return "";
  if (platform === Platform.ANTIGRAVITY && type === AccountType.APIKEY && !base.endsWith("/antigravity")) {
    return `${base}/antigravity`;
  }
  return base;
}
