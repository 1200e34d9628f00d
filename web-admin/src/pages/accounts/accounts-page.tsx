import { useState } from "react";
import { type Account, AccountService } from "../../../../gen/tollgate/admin/v1/account_pb.js";
import { ACCOUNT_POLL_MS, nameOf, useAllGroups, useLiveAccounts } from "../../api/lookups.js";
import { useAdminMutation } from "../../api/mutations.js";
import { AccountState } from "../../components/account-state.js";
import { ConfirmDialog } from "../../components/dialog.js";
import { EmptyRow } from "../../components/empty-row.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";
import { ACCOUNT_TYPE_LABEL, PLATFORM_LABEL } from "../../i18n/labels.js";
import { AccountDialog } from "./account-dialog.js";
import { TestAccountDialog } from "./test-account-dialog.js";

type Open =
  | { kind: "create" }
  | { kind: "edit"; account: Account }
  | { kind: "test"; account: Account }
  | { kind: "delete"; account: Account };

export function AccountsPage() {
  const { t } = useI18n();
  const [open, setOpen] = useState<Open>();
  const accounts = useLiveAccounts();
  const groups = useAllGroups();
  const groupName = nameOf(groups.data?.groups, (g) => g.name);
  const clearState = useAdminMutation(AccountService.method.clearAccountState);
  const remove = useAdminMutation(AccountService.method.deleteAccount);
  const list = accounts.data?.accounts ?? [];
  const now = new Date(accounts.dataUpdatedAt || Date.now());
  const close = () => {
    remove.reset();
    setOpen(undefined);
  };

  return (
    <section>
      <div className="toolbar">
        <span className="muted small">{t("accounts.live", { seconds: ACCOUNT_POLL_MS / 1000 })}</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
          {t("accounts.create")}
        </button>
      </div>
      <ProblemBanner error={accounts.error ?? clearState.error} />
      {accounts.isPending ? (
        <Loading />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("common.name")}</th>
              <th>{t("common.platform")}</th>
              <th>{t("accounts.type")}</th>
              <th>{t("accounts.effectiveBaseUrl")}</th>
              <th>{t("accounts.groups")}</th>
              <th className="num">{t("accounts.priority")}</th>
              <th className="num">{t("accounts.concurrency")}</th>
              <th>{t("accounts.state")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 ? <EmptyRow columns={9}>{t("accounts.none")}</EmptyRow> : null}
            {list.map((account) => (
              <tr key={account.id}>
                <td>{account.name}</td>
                <td>{t(PLATFORM_LABEL[account.platform])}</td>
                <td>{t(ACCOUNT_TYPE_LABEL[account.type])}</td>
                <td>
                  <code className="small">{account.effectiveBaseUrl}</code>
                </td>
                <td>
                  {account.groupIds.map(groupName).join(", ") || <span className="muted">{t("common.none")}</span>}
                </td>
                <td className="num">{account.priority}</td>
                <td className="num">{account.concurrency === 0 ? t("common.unlimited") : account.concurrency}</td>
                <td>
                  <AccountState account={account} now={now} />
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setOpen({ kind: "edit", account })}>
                    {t("common.edit")}
                  </button>
                  <button type="button" onClick={() => setOpen({ kind: "test", account })}>
                    {t("accounts.test")}
                  </button>
                  <button
                    type="button"
                    disabled={clearState.isPending}
                    onClick={() => clearState.mutate({ id: account.id })}
                  >
                    {t("accounts.clearState")}
                  </button>
                  <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", account })}>
                    {t("common.delete")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open?.kind === "create" || open?.kind === "edit" ? (
        <AccountDialog account={open.kind === "edit" ? open.account : undefined} onClose={close} />
      ) : null}
      {open?.kind === "test" ? <TestAccountDialog account={open.account} onClose={close} /> : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("accounts.deleteConfirm", { name: open.account.name })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={<ProblemBanner error={remove.error} />}
          onConfirm={() => remove.mutate({ id: open.account.id }, { onSuccess: close })}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
