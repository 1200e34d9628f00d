// The interface language, remembered in localStorage; a browser set to Chinese starts in Chinese.

export type Language = "en" | "zh";

const KEY = "tollgate.language";

export function initialLanguage(storage: Pick<Storage, "getItem">, browserLanguages: readonly string[]): Language {
  const saved = storage.getItem(KEY);
  if (saved === "en" || saved === "zh") return saved;
  return browserLanguages.some((l) => l.toLowerCase().startsWith("zh")) ? "zh" : "en";
}

export function rememberLanguage(storage: Pick<Storage, "setItem">, language: Language): void {
  storage.setItem(KEY, language);
}
