export function Badge({ tone, children }: { tone: "ok" | "warn" | "bad" | "off"; children: string }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}
