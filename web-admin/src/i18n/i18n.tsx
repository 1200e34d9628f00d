import { createContext, type ReactNode, useContext, useMemo, useState } from "react";
import { en, type MessageKey } from "./en.js";
import { interpolate } from "./interpolate.js";
import { initialLanguage, type Language, rememberLanguage } from "./language.js";
import { zh } from "./zh.js";

const CATALOGS: Record<Language, Record<MessageKey, string>> = { en, zh };
const LOCALES: Record<Language, string> = { en: "en-US", zh: "zh-CN" };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface I18n {
  language: Language;
  locale: string;
  t: Translate;
  setLanguage(language: Language): void;
}

const Context = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState(() => initialLanguage(localStorage, navigator.languages));
  const value = useMemo<I18n>(() => {
    const catalog = CATALOGS[language];
    document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
    return {
      language,
      locale: LOCALES[language],
      t: (key, params) => interpolate(catalog[key], params),
      setLanguage(next) {
        rememberLanguage(localStorage, next);
        setLanguageState(next);
      },
    };
  }, [language]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
