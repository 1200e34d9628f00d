/** The shield on IP-restricted keys. */
export function ShieldIcon({ title }: { title: string }) {
  return (
    <svg className="icon shield" viewBox="0 0 16 16" width="16" height="16" role="img" aria-label={title}>
      <title>{title}</title>
      <path d="M8 1 2.5 3v4.2c0 3.4 2.3 6.3 5.5 7.3 3.2-1 5.5-3.9 5.5-7.3V3L8 1Z" fill="currentColor" />
    </svg>
  );
}
