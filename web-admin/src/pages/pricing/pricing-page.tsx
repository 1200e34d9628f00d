import { useInfiniteQuery } from "@connectrpc/connect-query";
import { useDeferredValue, useState } from "react";
import { type ModelPrice, PriceSource, PricingService } from "../../../../gen/tollgate/admin/v1/pricing_pb.js";
import { useAdminMutation } from "../../api/mutations.js";
import { PAGED } from "../../api/paging.js";
import { Badge } from "../../components/badge.js";
import { ConfirmDialog, Dialog } from "../../components/dialog.js";
import { EmptyRow } from "../../components/empty-row.js";
import { Field } from "../../components/field.js";
import { LoadMore } from "../../components/load-more.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";
import { apiProblem } from "../../lib/field-error.js";

type Open = { kind: "set"; price?: ModelPrice } | { kind: "delete"; price: ModelPrice };

const PRICE_FIELDS = [
  ["inputPerMtok", "price.input_per_mtok", "pricing.input"],
  ["outputPerMtok", "price.output_per_mtok", "pricing.output"],
  ["cacheWritePerMtok", "price.cache_write_per_mtok", "pricing.cacheWrite"],
  ["cacheReadPerMtok", "price.cache_read_per_mtok", "pricing.cacheRead"],
] as const;

export function PricingPage() {
  const { t } = useI18n();
  const [search, setSearch] = useState("");
  const query = useDeferredValue(search.trim());
  const [open, setOpen] = useState<Open>();
  const prices = useInfiniteQuery(
    PricingService.method.listModelPrices,
    { pageSize: 200, pageToken: "", query },
    PAGED,
  );
  const remove = useAdminMutation(PricingService.method.deleteModelPrice);
  const rows = prices.data?.pages.flatMap((p) => p.prices) ?? [];
  const close = () => {
    remove.reset();
    setOpen(undefined);
  };

  return (
    <section>
      <div className="toolbar">
        <input
          type="search"
          aria-label={t("pricing.search")}
          placeholder={t("pricing.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <span className="muted small">{t("pricing.unit")}</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setOpen({ kind: "set" })}>
          {t("pricing.set")}
        </button>
      </div>
      <ProblemBanner error={prices.error} />
      {prices.isPending ? (
        <Loading />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("pricing.model")}</th>
              {PRICE_FIELDS.map(([, , label]) => (
                <th key={label} className="num">
                  {t(label)}
                </th>
              ))}
              <th>{t("pricing.source")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <EmptyRow columns={7}>{t("pricing.none")}</EmptyRow> : null}
            {rows.map((price) => (
              <tr key={price.model}>
                <td>
                  <code>{price.model}</code>
                </td>
                {PRICE_FIELDS.map(([key]) => (
                  <td key={key} className="num">
                    {price[key]}
                  </td>
                ))}
                <td>
                  {price.source === PriceSource.OVERRIDE ? (
                    <Badge tone="warn">{t("pricing.override")}</Badge>
                  ) : (
                    <Badge tone="off">{t("pricing.default")}</Badge>
                  )}
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setOpen({ kind: "set", price })}>
                    {t("common.edit")}
                  </button>
                  {price.source === PriceSource.OVERRIDE ? (
                    <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", price })}>
                      {t("pricing.deleteOverride")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore {...prices} />
      {open?.kind === "set" ? <PriceDialog price={open.price} onClose={close} /> : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={t("pricing.deleteOverride")}
          message={t("pricing.deleteConfirm", { model: open.price.model })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={<ProblemBanner error={remove.error} />}
          onConfirm={() => remove.mutate({ model: open.price.model }, { onSuccess: close })}
          onClose={close}
        />
      ) : null}
    </section>
  );
}

function PriceDialog({ price, onClose }: { price?: ModelPrice; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({
    model: price?.model ?? "",
    inputPerMtok: price?.inputPerMtok ?? "",
    outputPerMtok: price?.outputPerMtok ?? "",
    cacheWritePerMtok: price?.cacheWritePerMtok ?? "",
    cacheReadPerMtok: price?.cacheReadPerMtok ?? "",
  });
  const setPrice = useAdminMutation(PricingService.method.setModelPrice);
  const problem = setPrice.error ? apiProblem(setPrice.error) : undefined;
  const submit = () => {
    const trimmed = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim()])) as typeof form;
    setPrice.mutate({ price: trimmed }, { onSuccess: onClose });
  };
  return (
    <Dialog title={t("pricing.set")} onClose={onClose} onSubmit={submit} busy={setPrice.isPending}>
      <Field label={t("pricing.model")} field="price.model" problem={problem} hint={t("pricing.modelHint")}>
        <input
          name="model"
          value={form.model}
          disabled={price !== undefined}
          onChange={(e) => setForm({ ...form, model: e.target.value })}
        />
      </Field>
      <div className="grid-2">
        {PRICE_FIELDS.map(([key, field, label]) => (
          <Field key={key} label={t(label)} field={field} problem={problem}>
            <input
              name={key}
              inputMode="decimal"
              value={form[key]}
              onChange={(e) => setForm({ ...form, [key]: e.target.value })}
            />
          </Field>
        ))}
      </div>
      <ProblemBanner error={setPrice.error} shownFields={["price.model", ...PRICE_FIELDS.map(([, field]) => field)]} />
    </Dialog>
  );
}
