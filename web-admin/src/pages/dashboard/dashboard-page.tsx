import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import {
  type UsageBucket,
  UsageGroupBy,
  UsageService,
  type UsageTotals,
} from "../../../../gen/tollgate/admin/v1/usage_pb.js";
import { nameOf, useLiveAccounts } from "../../api/lookups.js";
import { ConditionBadge } from "../../components/account-state.js";
import { type Bar, BarChart } from "../../components/bar-chart.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";
import { PLATFORM_LABEL } from "../../i18n/labels.js";
import { troubledAccounts } from "../../lib/account-health.js";
import { addDays, startOfDay } from "../../lib/dates.js";
import { formatCompact, formatCount, formatUsd } from "../../lib/format.js";

type Metric = "requests" | "tokens" | "cost";
type Range = "today" | "week";

const STATS_POLL_MS = 30_000;

function metricOf(totals: UsageTotals | undefined, metric: Metric): number {
  if (!totals) return 0;
  if (metric === "requests") return Number(totals.requests);
  if (metric === "tokens") return Number(totals.totalTokens);
  return Number(totals.actualCostUsd || "0");
}

export function DashboardPage() {
  const { t, locale } = useI18n();
  // Fixed when the page opens, so the query keys (and caches) stay stable while it is shown.
  const [since] = useState(() => {
    const today = startOfDay(new Date());
    return { today: timestampFromDate(today), week: timestampFromDate(addDays(today, -6)) };
  });
  const [range, setRange] = useState<Range>("week");
  const [metric, setMetric] = useState<Metric>("cost");
  const poll = { refetchInterval: STATS_POLL_MS };
  const todayStats = useQuery(
    UsageService.method.getUsageStats,
    { filter: { startTime: since.today }, groupBy: UsageGroupBy.MODEL },
    poll,
  );
  const weekStats = useQuery(
    UsageService.method.getUsageStats,
    { filter: { startTime: since.week }, groupBy: UsageGroupBy.MODEL },
    poll,
  );
  const accountStats = useQuery(
    UsageService.method.getUsageStats,
    { filter: { startTime: range === "today" ? since.today : since.week }, groupBy: UsageGroupBy.ACCOUNT },
    poll,
  );
  const dayStats = useQuery(
    UsageService.method.getUsageStats,
    { filter: { startTime: since.week }, groupBy: UsageGroupBy.DAY },
    poll,
  );
  const accounts = useLiveAccounts();
  const accountName = nameOf(accounts.data?.accounts, (a) => a.name);
  const modelStats = range === "today" ? todayStats : weekStats;

  const display = (totals: UsageTotals | undefined) =>
    metric === "cost" ? formatUsd(totals?.actualCostUsd ?? "0") : formatCount(BigInt(metricOf(totals, metric)), locale);
  const bars = (buckets: readonly UsageBucket[] | undefined, label: (b: UsageBucket) => string): Bar[] =>
    (buckets ?? [])
      .map((b) => ({ label: label(b), value: metricOf(b.totals, metric), display: display(b.totals) }))
      .sort((a, b) => b.value - a.value);
  const dayBars: Bar[] = (dayStats.data?.buckets ?? []).map((b) => ({
    label: b.startTime
      ? timestampDate(b.startTime).toLocaleDateString(locale, { month: "short", day: "numeric", timeZone: "UTC" })
      : b.key,
    value: metricOf(b.totals, metric),
    display:
      metric === "cost" ? formatUsd(b.totals?.actualCostUsd ?? "0") : formatCompact(metricOf(b.totals, metric), locale),
  }));
  const troubled = accounts.data ? troubledAccounts(accounts.data.accounts, new Date(accounts.dataUpdatedAt)) : [];
  const metricLabel = t(`dashboard.metric.${metric}`);

  return (
    <section className="dashboard">
      <ProblemBanner error={todayStats.error ?? weekStats.error ?? accountStats.error ?? dayStats.error} />
      <div className="cards">
        <TotalsCard title={t("dashboard.today")} totals={todayStats.data?.totals} loading={todayStats.isPending} />
        <TotalsCard title={t("dashboard.last7Days")} totals={weekStats.data?.totals} loading={weekStats.isPending} />
      </div>
      <div className="toolbar">
        <fieldset className="segmented" aria-label={t("dashboard.range")}>
          {(["today", "week"] as const).map((r) => (
            <button
              key={r}
              type="button"
              className={r === range ? "on" : undefined}
              aria-pressed={r === range}
              onClick={() => setRange(r)}
            >
              {r === "today" ? t("dashboard.today") : t("dashboard.last7Days")}
            </button>
          ))}
        </fieldset>
        <fieldset className="segmented" aria-label={t("dashboard.metric")}>
          {(["requests", "tokens", "cost"] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={m === metric ? "on" : undefined}
              aria-pressed={m === metric}
              onClick={() => setMetric(m)}
            >
              {t(`dashboard.metric.${m}`)}
            </button>
          ))}
        </fieldset>
      </div>
      <div className="panels">
        <div className="panel">
          <h2>{t("dashboard.byModel", { metric: metricLabel })}</h2>
          {modelStats.isPending ? (
            <Loading />
          ) : (
            <BarChart
              label={t("dashboard.byModel", { metric: metricLabel })}
              bars={bars(modelStats.data?.buckets, (b) => b.key)}
              empty={t("dashboard.noUsage")}
            />
          )}
        </div>
        <div className="panel">
          <h2>{t("dashboard.byAccount", { metric: metricLabel })}</h2>
          {accountStats.isPending ? (
            <Loading />
          ) : (
            <BarChart
              label={t("dashboard.byAccount", { metric: metricLabel })}
              bars={bars(accountStats.data?.buckets, (b) => accountName(b.key))}
              empty={t("dashboard.noUsage")}
            />
          )}
        </div>
        <div className="panel">
          <h2>{t("dashboard.byDay", { metric: metricLabel })}</h2>
          {dayStats.isPending ? (
            <Loading />
          ) : (
            <BarChart
              label={t("dashboard.byDay", { metric: metricLabel })}
              bars={dayBars}
              empty={t("dashboard.noUsage")}
            />
          )}
        </div>
        <div className="panel">
          <h2>{t("dashboard.accountsNeedingAttention")}</h2>
          <ProblemBanner error={accounts.error} />
          {accounts.isPending ? (
            <Loading />
          ) : troubled.length === 0 ? (
            <p className="muted">{t("dashboard.allAccountsHealthy")}</p>
          ) : (
            <ul className="troubled">
              {troubled.map(({ account, conditions }) => (
                <li key={account.id}>
                  <strong>{account.name}</strong>{" "}
                  <span className="muted small">{t(PLATFORM_LABEL[account.platform])}</span>{" "}
                  {conditions.map((c) => (
                    <ConditionBadge key={c.kind} condition={c} />
                  ))}
                  {conditions.some((c) => c.kind === "error") && account.state?.lastError ? (
                    <div className="muted small">{account.state.lastError}</div>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

function TotalsCard({ title, totals, loading }: { title: string; totals: UsageTotals | undefined; loading: boolean }) {
  const { t, locale } = useI18n();
  return (
    <div className="card">
      <h2>{title}</h2>
      {loading ? (
        <Loading />
      ) : (
        <dl>
          <dt>{t("dashboard.metric.requests")}</dt>
          <dd>{formatCount(totals?.requests ?? 0n, locale)}</dd>
          <dt>{t("dashboard.metric.tokens")}</dt>
          <dd>{formatCount(totals?.totalTokens ?? 0n, locale)}</dd>
          <dt>{t("dashboard.metric.cost")}</dt>
          <dd>{formatUsd(totals?.actualCostUsd ?? "0")}</dd>
        </dl>
      )}
    </div>
  );
}
