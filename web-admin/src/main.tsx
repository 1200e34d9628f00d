import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.js";
import { ErrorBoundary } from "./components/error-boundary.js";
import { I18nProvider } from "./i18n/i18n.js";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    {/* The outer boundary has no translations: it must work even when the i18n provider fails. */}
    <ErrorBoundary title="Something went wrong / 出错了" retryLabel="Retry / 重试">
      <I18nProvider>
        <App />
      </I18nProvider>
    </ErrorBoundary>
  </StrictMode>,
);
