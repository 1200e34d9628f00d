import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { useI18n } from "../i18n/i18n.js";

/** A timestamp in the reader's locale; `empty` when absent. */
export function When({ at, empty = "—" }: { at: Timestamp | undefined; empty?: string }) {
  const { locale } = useI18n();
  if (!at) return <span className="muted">{empty}</span>;
  const date = timestampDate(at);
  return (
    <time dateTime={date.toISOString()}>
      {date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" })}
    </time>
  );
}
