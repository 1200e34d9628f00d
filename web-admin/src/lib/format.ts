import { parseDecimal } from "../../../common/money.js";

// Display formats. Money stays a decimal string end to end; only its display is rounded.

/** "$12.3457" from a USD decimal string, rounded half away from zero to `places`; the raw text when unreadable. */
export function formatUsd(text: string, places = 4): string {
  const units = parseDecimal(text || "0");
  if (units === undefined) return text;
  const step = 10n ** BigInt(18 - places);
  const abs = units < 0n ? -units : units;
  const rounded = ((abs + step / 2n) / step).toString().padStart(places + 1, "0");
  const whole = rounded.slice(0, rounded.length - places);
  const frac = rounded.slice(rounded.length - places).replace(/0+$/, "");
  const sign = units < 0n && rounded.replace(/0/g, "") !== "" ? "-" : "";
  return `${sign}$${whole}${frac ? `.${frac}` : ""}`;
}

/** A count with thousands separators; bigint so int64 totals stay exact. */
export function formatCount(value: bigint | number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** Short form for chart labels: 1234 -> "1.2K", 2500000 -> "2.5M". */
export function formatCompact(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}
