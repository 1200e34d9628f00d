import { useInfiniteQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import { type ApiKey, ApiKeyService, ApiKeyStatus } from "../../../../gen/tollgate/admin/v1/api_key_pb.js";
import { nameOf, useAllGroups, useAllUsers } from "../../api/lookups.js";
import { useAdminMutation } from "../../api/mutations.js";
import { PAGED } from "../../api/paging.js";
import { Badge } from "../../components/badge.js";
import { ConfirmDialog } from "../../components/dialog.js";
import { EmptyRow } from "../../components/empty-row.js";
import { ShieldIcon } from "../../components/icons.js";
import { LoadMore } from "../../components/load-more.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { QuotaBar } from "../../components/quota-bar.js";
import { When } from "../../components/when.js";
import { useI18n } from "../../i18n/i18n.js";
import { KEY_STATUS_LABEL } from "../../i18n/labels.js";
import { KeyDialog } from "./key-dialog.js";
import { SecretDialog } from "./secret-dialog.js";

const STATUS_TONE: Record<ApiKeyStatus, "ok" | "warn" | "bad" | "off"> = {
  [ApiKeyStatus.UNSPECIFIED]: "off",
  [ApiKeyStatus.ACTIVE]: "ok",
  [ApiKeyStatus.DISABLED]: "off",
  [ApiKeyStatus.EXPIRED]: "warn",
  [ApiKeyStatus.QUOTA_EXHAUSTED]: "bad",
};

type Open =
  | { kind: "create" }
  | { kind: "edit"; key: ApiKey }
  | { kind: "secret"; name: string; secret: string }
  | { kind: "reset"; key: ApiKey }
  | { kind: "delete"; key: ApiKey };

export function ApiKeysPage() {
  const { t } = useI18n();
  const [groupId, setGroupId] = useState("");
  const [status, setStatus] = useState(ApiKeyStatus.UNSPECIFIED);
  const [open, setOpen] = useState<Open>();
  const groups = useAllGroups();
  const users = useAllUsers();
  const groupName = nameOf(groups.data?.groups, (g) => g.name);
  const userName = nameOf(users.data?.users, (u) => u.email);
  const keys = useInfiniteQuery(
    ApiKeyService.method.listApiKeys,
    { pageSize: 100, pageToken: "", groupId, status },
    PAGED,
  );
  const resetQuota = useAdminMutation(ApiKeyService.method.resetQuota);
  const clearExpiration = useAdminMutation(ApiKeyService.method.clearExpiration);
  const remove = useAdminMutation(ApiKeyService.method.deleteApiKey);
  const rows = keys.data?.pages.flatMap((p) => p.apiKeys) ?? [];
  const close = () => {
    resetQuota.reset();
    remove.reset();
    setOpen(undefined);
  };

  return (
    <section>
      <div className="toolbar">
        <select aria-label={t("keys.group")} value={groupId} onChange={(e) => setGroupId(e.target.value)}>
          <option value="">{t("keys.allGroups")}</option>
          {groups.data?.groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
        <select aria-label={t("common.status")} value={status} onChange={(e) => setStatus(Number(e.target.value))}>
          <option value={ApiKeyStatus.UNSPECIFIED}>{t("common.anyStatus")}</option>
          {[ApiKeyStatus.ACTIVE, ApiKeyStatus.DISABLED, ApiKeyStatus.EXPIRED, ApiKeyStatus.QUOTA_EXHAUSTED].map((s) => (
            <option key={s} value={s}>
              {t(KEY_STATUS_LABEL[s])}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
          {t("keys.create")}
        </button>
      </div>
      <ProblemBanner error={keys.error ?? clearExpiration.error} />
      {keys.isPending ? (
        <Loading />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("common.name")}</th>
              <th>{t("keys.key")}</th>
              <th>{t("keys.user")}</th>
              <th>{t("keys.group")}</th>
              <th>{t("common.status")}</th>
              <th>{t("keys.quota")}</th>
              <th>{t("keys.expiresAt")}</th>
              <th>{t("keys.lastUsed")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <EmptyRow columns={9}>{t("keys.none")}</EmptyRow> : null}
            {rows.map((key) => (
              <tr key={key.id} data-key-id={key.id}>
                <td>
                  {key.name}{" "}
                  {key.ipWhitelist.length + key.ipBlacklist.length > 0 ? (
                    <ShieldIcon
                      title={t("keys.ipRestrictedIcon", {
                        allow: key.ipWhitelist.length,
                        deny: key.ipBlacklist.length,
                      })}
                    />
                  ) : null}
                </td>
                <td>
                  <code>{key.keyPrefix}…</code>
                </td>
                <td>{userName(key.userId)}</td>
                <td>{groupName(key.groupId)}</td>
                <td>
                  <Badge tone={STATUS_TONE[key.status]}>{t(KEY_STATUS_LABEL[key.status])}</Badge>
                </td>
                <td>
                  <QuotaBar quotaUsd={key.quotaUsd} usedUsd={key.quotaUsedUsd} />
                </td>
                <td className="expires">
                  <When at={key.expiresAt} empty={t("keys.never")} />
                </td>
                <td>
                  <When at={key.lastUsedAt} />
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setOpen({ kind: "edit", key })}>
                    {t("common.edit")}
                  </button>
                  <button type="button" onClick={() => setOpen({ kind: "reset", key })}>
                    {t("keys.resetQuota")}
                  </button>
                  {key.expiresAt ? (
                    <button
                      type="button"
                      disabled={clearExpiration.isPending}
                      onClick={() => clearExpiration.mutate({ id: key.id })}
                    >
                      {t("keys.clearExpiration")}
                    </button>
                  ) : null}
                  <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", key })}>
                    {t("common.delete")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore {...keys} />
      {open?.kind === "create" || open?.kind === "edit" ? (
        <KeyDialog
          apiKey={open.kind === "edit" ? open.key : undefined}
          onClose={close}
          onCreated={(secret, key) => setOpen({ kind: "secret", name: key.name, secret })}
        />
      ) : null}
      {open?.kind === "secret" ? <SecretDialog name={open.name} secret={open.secret} onClose={close} /> : null}
      {open?.kind === "reset" ? (
        <ConfirmDialog
          title={t("keys.resetQuota")}
          message={t("keys.resetQuotaConfirm", { name: open.key.name })}
          confirmLabel={t("keys.resetQuota")}
          busy={resetQuota.isPending}
          error={<ProblemBanner error={resetQuota.error} />}
          onConfirm={() => resetQuota.mutate({ id: open.key.id }, { onSuccess: close })}
          onClose={close}
        />
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("keys.deleteConfirm", { name: open.key.name })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={<ProblemBanner error={remove.error} />}
          onConfirm={() => remove.mutate({ id: open.key.id }, { onSuccess: close })}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
