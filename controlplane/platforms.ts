import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";

// Stored platform names <-> the proto enum.
const NAMES = {
  [Platform.ANTHROPIC]: "anthropic",
  [Platform.OPENAI]: "openai",
  [Platform.GEMINI]: "gemini",
  [Platform.ANTIGRAVITY]: "antigravity",
} as const;

export type PlatformName = (typeof NAMES)[keyof typeof NAMES];

export function platformName(platform: Platform): PlatformName | undefined {
  return platform === Platform.UNSPECIFIED ? undefined : NAMES[platform];
}

export function platformEnum(name: string): Platform {
  for (const [value, stored] of Object.entries(NAMES)) if (stored === name) return Number(value) as Platform;
  return Platform.UNSPECIFIED;
}
