/** About four characters per token, as providers' own rules of thumb say; never zero. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}
