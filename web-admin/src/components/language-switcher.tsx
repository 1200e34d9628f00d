import { useI18n } from "../i18n/i18n.js";
import type { Language } from "../i18n/language.js";

const NAMES: Record<Language, string> = { en: "English", zh: "中文" };

export function LanguageSwitcher() {
  const { language, setLanguage, t } = useI18n();
  return (
    <select
      aria-label={t("app.language")}
      className="language"
      value={language}
      onChange={(e) => setLanguage(e.target.value as Language)}
    >
      {(Object.keys(NAMES) as Language[]).map((l) => (
        <option key={l} value={l}>
          {NAMES[l]}
        </option>
      ))}
    </select>
  );
}
