import { createClient } from "@connectrpc/connect";
import { useInfiniteQuery, useQuery, useTransport } from "@connectrpc/connect-query";
import { useState } from "react";
import { AccountService } from "../../../../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyService } from "../../../../gen/tollgate/admin/v1/api_key_pb.js";
import { UsageService } from "../../../../gen/tollgate/admin/v1/usage_pb.js";
import { nameOf, useAllUsers } from "../../api/lookups.js";
import { PAGED } from "../../api/paging.js";
import { EmptyRow } from "../../components/empty-row.js";
import { LoadMore } from "../../components/load-more.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { When } from "../../components/when.js";
import { useI18n } from "../../i18n/i18n.js";
import { addDays, startOfDay, toLocalInput } from "../../lib/dates.js";
import { formatCount, formatUsd } from "../../lib/format.js";
import { downloadText, fetchAllUsageLogs, usageCsv } from "./export-usage.js";
import { EMPTY_USAGE_FILTER, type UsageFilterForm, usageFilterOf } from "./usage-filter.js";

const RANGES = [
  ["usage.today", 0],
  ["usage.last7Days", 6],
  ["usage.last30Days", 29],
] as const;

export function UsagePage() {
  const { t, locale } = useI18n();
  const transport = useTransport();
  const [form, setForm] = useState<UsageFilterForm>(EMPTY_USAGE_FILTER);
  const set = (change: Partial<UsageFilterForm>) => setForm((f) => ({ ...f, ...change }));
  const filter = usageFilterOf(form);
  const users = useAllUsers();
  const keys = useQuery(ApiKeyService.method.listApiKeys, { pageSize: 500, userId: form.userId });
  const accounts = useQuery(AccountService.method.listAccounts, { pageSize: 500 });
  const userName = nameOf(users.data?.users, (u) => u.email);
  const accountName = nameOf(accounts.data?.accounts, (a) => a.name);
  const logs = useInfiniteQuery(UsageService.method.listUsageLogs, { pageSize: 100, pageToken: "", filter }, PAGED);
  const rows = logs.data?.pages.flatMap((p) => p.logs) ?? [];
  const [exporting, setExporting] = useState<{ fetched: number } | undefined>();
  const [exportError, setExportError] = useState<unknown>();

  const exportCsv = async () => {
    setExportError(undefined);
    setExporting({ fetched: 0 });
    try {
      const all = await fetchAllUsageLogs(createClient(UsageService, transport), filter, (fetched) =>
        setExporting({ fetched }),
      );
      const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "");
      downloadText(
        `tollgate-usage-${stamp}.csv`,
        usageCsv(all, { user: userName, account: accountName }),
        "text/csv;charset=utf-8",
      );
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(undefined);
    }
  };

  return (
    <section>
      <div className="toolbar wrap">
        <select
          aria-label={t("usage.user")}
          value={form.userId}
          onChange={(e) => set({ userId: e.target.value, apiKeyId: "" })}
        >
          <option value="">{t("usage.allUsers")}</option>
          {users.data?.users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </select>
        <select aria-label={t("usage.key")} value={form.apiKeyId} onChange={(e) => set({ apiKeyId: e.target.value })}>
          <option value="">{t("usage.allKeys")}</option>
          {keys.data?.apiKeys.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name} ({k.keyPrefix}…)
            </option>
          ))}
        </select>
        <select
          aria-label={t("usage.account")}
          value={form.accountId}
          onChange={(e) => set({ accountId: e.target.value })}
        >
          <option value="">{t("usage.allAccounts")}</option>
          {accounts.data?.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <input
          aria-label={t("usage.model")}
          placeholder={t("usage.model")}
          value={form.model}
          onChange={(e) => set({ model: e.target.value })}
        />
        <label className="inline">
          {t("usage.from")}
          <input
            type="datetime-local"
            name="start"
            value={form.start}
            onChange={(e) => set({ start: e.target.value })}
          />
        </label>
        <label className="inline">
          {t("usage.to")}
          <input type="datetime-local" name="end" value={form.end} onChange={(e) => set({ end: e.target.value })} />
        </label>
        {RANGES.map(([label, days]) => (
          <button
            key={label}
            type="button"
            className="chip"
            onClick={() => set({ start: toLocalInput(addDays(startOfDay(new Date()), -days)), end: "" })}
          >
            {t(label)}
          </button>
        ))}
        <button type="button" className="chip" onClick={() => setForm(EMPTY_USAGE_FILTER)}>
          {t("usage.clearFilters")}
        </button>
        <span className="spacer" />
        <button type="button" className="primary" disabled={exporting !== undefined} onClick={exportCsv}>
          {exporting ? t("usage.exporting", { count: exporting.fetched }) : t("usage.exportCsv")}
        </button>
      </div>
      <ProblemBanner error={logs.error ?? exportError} />
      {logs.isPending ? (
        <Loading />
      ) : (
        <div className="table-scroll">
          <table className="table compact">
            <thead>
              <tr>
                <th>{t("usage.time")}</th>
                <th>{t("usage.user")}</th>
                <th>{t("usage.key")}</th>
                <th>{t("usage.account")}</th>
                <th>{t("usage.model")}</th>
                <th className="num">{t("usage.input")}</th>
                <th className="num">{t("usage.output")}</th>
                <th className="num">{t("usage.cacheWrite")}</th>
                <th className="num">{t("usage.cacheRead")}</th>
                <th className="num">{t("usage.cost")}</th>
                <th className="num">{t("usage.actualCost")}</th>
                <th className="num">{t("usage.status")}</th>
                <th className="num">{t("usage.duration")}</th>
                <th>{t("usage.clientIp")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? <EmptyRow columns={14}>{t("usage.none")}</EmptyRow> : null}
              {rows.map((log) => (
                <tr key={log.requestId} title={log.userAgent}>
                  <td>
                    <When at={log.createdAt} />
                  </td>
                  <td>{userName(log.userId)}</td>
                  <td>{log.apiKeyName || log.apiKeyId}</td>
                  <td>{accountName(log.accountId)}</td>
                  <td>
                    {log.model}
                    {log.stream ? <span className="muted small"> · {t("usage.stream")}</span> : null}
                    {log.estimated ? <span className="muted small"> · {t("usage.estimated")}</span> : null}
                  </td>
                  <td className="num">{formatCount(log.inputTokens, locale)}</td>
                  <td className="num">{formatCount(log.outputTokens, locale)}</td>
                  <td className="num">{formatCount(log.cacheCreationTokens, locale)}</td>
                  <td className="num">{formatCount(log.cacheReadTokens, locale)}</td>
                  <td className="num">{formatUsd(log.costUsd, 6)}</td>
                  <td className="num">{formatUsd(log.actualCostUsd, 6)}</td>
                  <td className="num">{log.statusCode}</td>
                  <td className="num">
                    {String(log.durationMs)} ms
                    {log.firstTokenMs !== undefined ? (
                      <span className="muted small"> ({String(log.firstTokenMs)})</span>
                    ) : null}
                  </td>
                  <td>
                    <code>{log.ipAddress}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore {...logs} />
    </section>
  );
}
