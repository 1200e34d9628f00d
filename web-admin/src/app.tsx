import type { ConnectError } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ComponentType, useMemo, useRef, useState } from "react";
import { createAdminTransport } from "./api/transport.js";
import { SignInPage } from "./auth/sign-in-page.js";
import { tokenStore } from "./auth/token-store.js";
import { ErrorBoundary } from "./components/error-boundary.js";
import { LanguageSwitcher } from "./components/language-switcher.js";
import type { MessageKey } from "./i18n/en.js";
import { useI18n } from "./i18n/i18n.js";
import { AccountsPage } from "./pages/accounts/accounts-page.js";
import { DashboardPage } from "./pages/dashboard/dashboard-page.js";
import { GroupsPage } from "./pages/groups/groups-page.js";
import { ApiKeysPage } from "./pages/keys/api-keys-page.js";
import { PricingPage } from "./pages/pricing/pricing-page.js";
import { UsagePage } from "./pages/usage/usage-page.js";
import { UsersPage } from "./pages/users/users-page.js";
import { Link, type Route, useRoute } from "./router.js";

const PAGES: Record<Route, { title: MessageKey; Page: ComponentType }> = {
  "/": { title: "nav.dashboard", Page: DashboardPage },
  "/users": { title: "nav.users", Page: UsersPage },
  "/keys": { title: "nav.keys", Page: ApiKeysPage },
  "/groups": { title: "nav.groups", Page: GroupsPage },
  "/accounts": { title: "nav.accounts", Page: AccountsPage },
  "/pricing": { title: "nav.pricing", Page: PricingPage },
  "/usage": { title: "nav.usage", Page: UsagePage },
};

export function App() {
  const { t } = useI18n();
  const store = useMemo(() => tokenStore(sessionStorage), []);
  const [token, setToken] = useState(() => store.read());
  const [notice, setNotice] = useState<string>();
  const tokenRef = useRef(token);
  tokenRef.current = token;

  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 },
        },
      }),
    [],
  );
  const signOut = (reason?: string) => {
    store.forget();
    queryClient.clear();
    setNotice(reason);
    setToken(undefined);
  };
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;
  const transport = useMemo(
    () =>
      createAdminTransport(
        () => tokenRef.current,
        (error: ConnectError) => signOutRef.current(`unauthenticated: ${error.rawMessage}`),
      ),
    [],
  );

  if (!token) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(value) => {
          store.write(value);
          setNotice(undefined);
          setToken(value);
        }}
      />
    );
  }
  return (
    <TransportProvider transport={transport}>
      <QueryClientProvider client={queryClient}>
        <Shell onSignOut={() => signOut(t("signIn.signedOut"))} />
      </QueryClientProvider>
    </TransportProvider>
  );
}

function Shell({ onSignOut }: { onSignOut(): void }) {
  const { t } = useI18n();
  const route = useRoute();
  const { title, Page } = PAGES[route];
  return (
    <div className="shell">
      <nav className="nav">
        <div className="brand">{t("app.name")}</div>
        {(Object.keys(PAGES) as Route[]).map((to) => (
          <Link key={to} to={to} className={to === route ? "active" : undefined}>
            {t(PAGES[to].title)}
          </Link>
        ))}
        <div className="nav-foot">
          <LanguageSwitcher />
          <button type="button" onClick={onSignOut}>
            {t("signIn.signOut")}
          </button>
        </div>
      </nav>
      <main className="content">
        <h1>{t(title)}</h1>
        <ErrorBoundary key={route} title={t("error.page")} retryLabel={t("common.retry")}>
          <Page />
        </ErrorBoundary>
      </main>
    </div>
  );
}
