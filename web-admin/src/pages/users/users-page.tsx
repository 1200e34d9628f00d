import { useInfiniteQuery } from "@connectrpc/connect-query";
import { useDeferredValue, useState } from "react";
import { type User, UserService, UserStatus } from "../../../../gen/tollgate/admin/v1/user_pb.js";
import { useAdminMutation } from "../../api/mutations.js";
import { PAGED } from "../../api/paging.js";
import { Badge } from "../../components/badge.js";
import { ConfirmDialog, Dialog } from "../../components/dialog.js";
import { EmptyRow } from "../../components/empty-row.js";
import { Field } from "../../components/field.js";
import { LoadMore } from "../../components/load-more.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { When } from "../../components/when.js";
import { useI18n } from "../../i18n/i18n.js";
import { USER_STATUS_LABEL } from "../../i18n/labels.js";
import { changedFields } from "../../lib/changed-fields.js";
import { apiProblem } from "../../lib/field-error.js";
import { formatUsd } from "../../lib/format.js";

type Open =
  | { kind: "create" }
  | { kind: "edit"; user: User }
  | { kind: "balance"; user: User }
  | { kind: "delete"; user: User };

export function UsersPage() {
  const { t } = useI18n();
  const [search, setSearch] = useState("");
  const query = useDeferredValue(search.trim());
  const [open, setOpen] = useState<Open>();
  const users = useInfiniteQuery(UserService.method.listUsers, { pageSize: 100, pageToken: "", query }, PAGED);
  const remove = useAdminMutation(UserService.method.deleteUser);
  const rows = users.data?.pages.flatMap((p) => p.users) ?? [];
  const close = () => {
    remove.reset();
    setOpen(undefined);
  };

  return (
    <section>
      <div className="toolbar">
        <input
          type="search"
          aria-label={t("users.search")}
          placeholder={t("users.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
          {t("users.create")}
        </button>
      </div>
      <ProblemBanner error={users.error} />
      {users.isPending ? (
        <Loading />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("users.email")}</th>
              <th>{t("common.name")}</th>
              <th>{t("common.status")}</th>
              <th className="num">{t("users.balance")}</th>
              <th className="num">{t("users.concurrency")}</th>
              <th>{t("common.createdAt")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <EmptyRow columns={7}>{t("users.none")}</EmptyRow> : null}
            {rows.map((user) => (
              <tr key={user.id}>
                <td>{user.email}</td>
                <td>{user.name}</td>
                <td>
                  <Badge tone={user.status === UserStatus.ACTIVE ? "ok" : "off"}>
                    {t(USER_STATUS_LABEL[user.status])}
                  </Badge>
                </td>
                <td className="num">{formatUsd(user.balanceUsd)}</td>
                <td className="num">{user.concurrency === 0 ? t("common.unlimited") : user.concurrency}</td>
                <td>
                  <When at={user.createdAt} />
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setOpen({ kind: "edit", user })}>
                    {t("common.edit")}
                  </button>
                  <button type="button" onClick={() => setOpen({ kind: "balance", user })}>
                    {t("users.adjustBalance")}
                  </button>
                  <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", user })}>
                    {t("common.delete")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore {...users} />
      {open?.kind === "create" || open?.kind === "edit" ? (
        <UserDialog user={open.kind === "edit" ? open.user : undefined} onClose={close} />
      ) : null}
      {open?.kind === "balance" ? <BalanceDialog user={open.user} onClose={close} /> : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("users.deleteConfirm", { email: open.user.email })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={<ProblemBanner error={remove.error} />}
          onConfirm={() => remove.mutate({ id: open.user.id }, { onSuccess: close })}
          onClose={close}
        />
      ) : null}
    </section>
  );
}

function UserDialog({ user, onClose }: { user?: User; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({
    email: user?.email ?? "",
    name: user?.name ?? "",
    status: user?.status ?? UserStatus.ACTIVE,
    concurrency: String(user?.concurrency ?? 0),
    balanceUsd: "",
  });
  const set = (change: Partial<typeof form>) => setForm((f) => ({ ...f, ...change }));
  const create = useAdminMutation(UserService.method.createUser);
  const update = useAdminMutation(UserService.method.updateUser);
  const error = create.error ?? update.error;
  const problem = error ? apiProblem(error) : undefined;
  const concurrency = Number(form.concurrency || "0");
  const concurrencyOk = Number.isInteger(concurrency) && concurrency >= 0;

  const submit = () => {
    const values = { email: form.email.trim(), name: form.name.trim(), status: form.status, concurrency };
    if (user)
      update.mutate(
        { id: user.id, ...changedFields(user, values, ["email", "name", "status", "concurrency"]) },
        { onSuccess: onClose },
      );
    else create.mutate({ ...values, balanceUsd: form.balanceUsd.trim() }, { onSuccess: onClose });
  };

  return (
    <Dialog
      title={user ? t("users.edit") : t("users.create")}
      onClose={onClose}
      onSubmit={submit}
      busy={create.isPending || update.isPending}
      submitDisabled={!concurrencyOk}
    >
      <Field label={t("users.email")} field="email" problem={problem}>
        <input name="email" type="email" value={form.email} onChange={(e) => set({ email: e.target.value })} />
      </Field>
      <Field label={t("common.name")} field="name" problem={problem}>
        <input name="name" value={form.name} onChange={(e) => set({ name: e.target.value })} />
      </Field>
      {user ? null : (
        <Field label={t("users.startingBalance")} field="balance_usd" problem={problem}>
          <input
            name="balance_usd"
            inputMode="decimal"
            placeholder="0"
            value={form.balanceUsd}
            onChange={(e) => set({ balanceUsd: e.target.value })}
          />
        </Field>
      )}
      <Field
        label={t("users.concurrency")}
        field="concurrency"
        problem={problem}
        hint={concurrencyOk ? t("users.concurrencyHint") : t("error.wholeNumber")}
      >
        <input
          name="concurrency"
          inputMode="numeric"
          value={form.concurrency}
          onChange={(e) => set({ concurrency: e.target.value })}
        />
      </Field>
      <Field label={t("common.status")} field="status" problem={problem}>
        <select name="status" value={form.status} onChange={(e) => set({ status: Number(e.target.value) })}>
          <option value={UserStatus.ACTIVE}>{t("status.active")}</option>
          <option value={UserStatus.DISABLED}>{t("status.disabled")}</option>
        </select>
      </Field>
      <ProblemBanner error={error} shownFields={["email", "name", "balance_usd", "concurrency", "status"]} />
    </Dialog>
  );
}

function BalanceDialog({ user, onClose }: { user: User; onClose(): void }) {
  const { t } = useI18n();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const adjust = useAdminMutation(UserService.method.adjustBalance);
  const problem = adjust.error ? apiProblem(adjust.error) : undefined;
  return (
    <Dialog
      title={t("users.adjustBalanceOf", { email: user.email })}
      onClose={onClose}
      onSubmit={() =>
        adjust.mutate({ userId: user.id, amountUsd: amount.trim(), reason: reason.trim() }, { onSuccess: onClose })
      }
      busy={adjust.isPending}
      submitDisabled={amount.trim() === "" || reason.trim() === ""}
    >
      <p>
        {t("users.balance")}: <strong>{formatUsd(user.balanceUsd)}</strong>
      </p>
      <Field label={t("users.amount")} field="amount_usd" problem={problem} hint={t("users.amountHint")}>
        <input name="amount_usd" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
      </Field>
      <Field label={t("users.reason")} field="reason" problem={problem}>
        <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <ProblemBanner error={adjust.error} shownFields={["amount_usd", "reason"]} />
    </Dialog>
  );
}
