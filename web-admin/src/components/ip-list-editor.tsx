import { useI18n } from "../i18n/i18n.js";
import { type ApiProblem, entryIndexOf, isProblemOf } from "../lib/field-error.js";
import { readIpEntries } from "../lib/ip-entries.js";

/** One IP or CIDR per line, checked as it is typed; a server problem naming an entry points at its line. */
export function IpListEditor(props: {
  label: string;
  field: string;
  value: string;
  onChange(value: string): void;
  problem?: ApiProblem;
}) {
  const { t } = useI18n();
  const { entries, errors } = readIpEntries(props.value);
  const serverIndex = isProblemOf(props.problem, props.field) ? entryIndexOf(props.problem) : undefined;
  const invalid = errors.length > 0 || isProblemOf(props.problem, props.field);
  return (
    <div className="field">
      <label>
        <span className="field-label">{props.label}</span>
        <textarea
          name={props.field}
          rows={3}
          spellCheck={false}
          placeholder={t("keys.ipPlaceholder")}
          aria-invalid={invalid}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </label>
      <div className="field-hint">{t("keys.ipEntries", { count: entries.length })}</div>
      {errors.map((e) => (
        <div key={e.line} className="field-problem" role="alert">
          {t("keys.ipLine", { line: e.line })}: {e.error}
        </div>
      ))}
      {isProblemOf(props.problem, props.field) && errors.length === 0 ? (
        <div className="field-problem" role="alert">
          {serverIndex !== undefined ? `${entries[serverIndex] ?? props.problem?.field}: ` : ""}
          {props.problem?.text}
        </div>
      ) : null}
    </div>
  );
}
