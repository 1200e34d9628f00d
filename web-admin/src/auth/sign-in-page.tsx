import { createClient } from "@connectrpc/connect";
import { type FormEvent, useState } from "react";
import { GroupService } from "../../../gen/tollgate/admin/v1/group_pb.js";
import { createAdminTransport } from "../api/transport.js";
import { LanguageSwitcher } from "../components/language-switcher.js";
import { ProblemBanner } from "../components/problem.js";
import { useI18n } from "../i18n/i18n.js";

/** Checks the token with one cheap call before keeping it, so a wrong token is refused here, not later. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn(token: string): void; notice?: string }) {
  const { t } = useI18n();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setBusy(true);
    setError(undefined);
    try {
      const client = createClient(
        GroupService,
        createAdminTransport(
          () => candidate,
          () => {},
        ),
      );
      await client.listGroups({ pageSize: 1 });
      onSignedIn(candidate);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={submit} className="sign-in-card">
        <div className="sign-in-head">
          <h1>{t("app.name")}</h1>
          <LanguageSwitcher />
        </div>
        <p className="muted">{t("signIn.intro")}</p>
        {notice ? <div className="notice">{notice}</div> : null}
        <label className="field">
          <span className="field-label">{t("signIn.token")}</span>
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        <ProblemBanner error={error} />
        <button type="submit" className="primary" disabled={busy || token.trim() === ""}>
          {busy ? t("signIn.checking") : t("signIn.submit")}
        </button>
      </form>
    </main>
  );
}
