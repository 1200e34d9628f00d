import { type Account, AccountStatus } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { useI18n } from "../i18n/i18n.js";
import { ACCOUNT_STATUS_LABEL } from "../i18n/labels.js";
import { type AccountCondition, accountConditions } from "../lib/account-health.js";
import { Badge } from "./badge.js";

/** Status plus whatever runtime state keeps the account from serving, each with when it ends. */
export function AccountState({ account, now }: { account: Account; now: Date }) {
  const { t } = useI18n();
  const conditions = accountConditions(account, now).filter((c) => c.kind !== "error" && c.kind !== "disabled");
  const tone = account.status === AccountStatus.ACTIVE ? "ok" : account.status === AccountStatus.ERROR ? "bad" : "off";
  return (
    <span className="state">
      <Badge tone={tone}>{t(ACCOUNT_STATUS_LABEL[account.status])}</Badge>
      {!account.schedulable ? <Badge tone="off">{t("accounts.unschedulable")}</Badge> : null}
      {conditions.map((c) => (
        <ConditionBadge key={c.kind} condition={c} />
      ))}
      {account.status === AccountStatus.ERROR && account.state?.lastError ? (
        <span className="muted small">{account.state.lastError}</span>
      ) : null}
    </span>
  );
}

export function ConditionBadge({ condition }: { condition: AccountCondition }) {
  const { t, locale } = useI18n();
  const until = "until" in condition ? condition.until.toLocaleTimeString(locale) : "";
  switch (condition.kind) {
    case "cooling_down":
      return <Badge tone="warn">{t("accounts.coolingDownUntil", { until })}</Badge>;
    case "rate_limited":
      return <Badge tone="warn">{t("accounts.rateLimitedUntil", { until })}</Badge>;
    case "overloaded":
      return <Badge tone="warn">{t("accounts.overloadedUntil", { until })}</Badge>;
    case "error":
      return <Badge tone="bad">{t("status.error")}</Badge>;
    case "disabled":
      return <Badge tone="off">{t("status.disabled")}</Badge>;
  }
}
