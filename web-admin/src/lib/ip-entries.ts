import { parseIpRule } from "../../../common/ip-rules.js";

// The IP whitelist/blacklist editors hold one entry per line; each line is checked as it is typed with
// the same parser the data plane uses, so what the form accepts the server accepts.

export interface IpEntries {
  entries: string[];
  /** Problems by entry index (the index the server would name, `ip_whitelist[i]`). */
  errors: { index: number; line: number; error: string }[];
}

export function readIpEntries(text: string): IpEntries {
  const entries: string[] = [];
  const errors: IpEntries["errors"] = [];
  text.split("\n").forEach((raw, lineIndex) => {
    const entry = raw.trim();
    if (entry === "") return;
    const parsed = parseIpRule(entry);
    if (!parsed.ok) errors.push({ index: entries.length, line: lineIndex + 1, error: parsed.error });
    entries.push(entry);
  });
  return { entries, errors };
}
