import { AccountStatus } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { ANTHROPIC_DEFAULT_MODELS } from "../protocols/anthropic/model-list.js";
import { GEMINI_DEFAULT_MODELS } from "../protocols/gemini/model-list.js";
import { OPENAI_DEFAULT_MODELS } from "../protocols/openai/model-list.js";

// The models a group can reach: what its active accounts list, or their platform's defaults.

const DEFAULTS: Record<Platform, readonly string[]> = {
  [Platform.UNSPECIFIED]: [],
  [Platform.ANTHROPIC]: ANTHROPIC_DEFAULT_MODELS,
  [Platform.OPENAI]: OPENAI_DEFAULT_MODELS,
  [Platform.GEMINI]: GEMINI_DEFAULT_MODELS,
  [Platform.ANTIGRAVITY]: [...ANTHROPIC_DEFAULT_MODELS, ...GEMINI_DEFAULT_MODELS],
};

export interface ModelSource {
  readonly platform: Platform;
  readonly status: AccountStatus;
  readonly models: readonly string[];
}

export function groupModels(accounts: readonly ModelSource[]): string[] {
  const models = new Set<string>();
  for (const account of accounts) {
    if (account.status !== AccountStatus.ACTIVE) continue;
    for (const model of account.models.length > 0 ? account.models : DEFAULTS[account.platform]) models.add(model);
  }
  return [...models].sort();
}
