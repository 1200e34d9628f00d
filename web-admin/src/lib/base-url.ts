import { AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../../gen/tollgate/admin/v1/common_pb.js";

// Preview of the URL an account's requests go to, while the form is typed; the saved account carries the
// server's `effective_base_url`. Mirrors controlplane/accounts/base-url.ts (DESIGN §5.8), which the
// browser cannot import: only gen/ and common/ are shared.

export const DEFAULT_BASE_URLS: Record<Platform, string> = {
  [Platform.UNSPECIFIED]: "",
  [Platform.ANTHROPIC]: "https://api.anthropic.com",
  [Platform.OPENAI]: "https://api.openai.com",
  [Platform.GEMINI]: "https://generativelanguage.googleapis.com",
  [Platform.ANTIGRAVITY]: "https://cloudcode-pa.googleapis.com",
};

export function previewBaseUrl(platform: Platform, type: AccountType, baseUrl: string): string {
  const base = (baseUrl.trim() || DEFAULT_BASE_URLS[platform]).replace(/\/+$/, "");
  if (base === "") return "";
  if (platform === Platform.ANTIGRAVITY && type === AccountType.APIKEY && !base.endsWith("/antigravity")) {
    return `${base}/antigravity`;
  }
  return base;
}
