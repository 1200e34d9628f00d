import { useState } from "react";
import { type ApiKey, ApiKeyService, ApiKeyStatus } from "../../../../gen/tollgate/admin/v1/api_key_pb.js";
import { useAllGroups, useAllUsers } from "../../api/lookups.js";
import { useAdminMutation } from "../../api/mutations.js";
import { Dialog } from "../../components/dialog.js";
import { Field } from "../../components/field.js";
import { IpListEditor } from "../../components/ip-list-editor.js";
import { ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";
import { PLATFORM_LABEL } from "../../i18n/labels.js";
import { addDays, toLocalInput } from "../../lib/dates.js";
import { apiProblem } from "../../lib/field-error.js";
import { createKeyRequest, emptyKeyForm, type KeyForm, keyFormOf, keyFormValid, updateKeyRequest } from "./key-form.js";

const QUICK_DAYS = [7, 30, 90] as const;
const FIELDS = ["name", "user_id", "group_id", "status", "quota_usd", "expires_at", "ip_whitelist", "ip_blacklist"];

/** Create a key (then show its secret once) or edit one. */
export function KeyDialog({
  apiKey,
  onClose,
  onCreated,
}: {
  apiKey?: ApiKey;
  onClose(): void;
  onCreated(secret: string, key: ApiKey): void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<KeyForm>(() => (apiKey ? keyFormOf(apiKey) : emptyKeyForm()));
  const set = (change: Partial<KeyForm>) => setForm((f) => ({ ...f, ...change }));
  const groups = useAllGroups();
  const users = useAllUsers();
  const create = useAdminMutation(ApiKeyService.method.createApiKey);
  const update = useAdminMutation(ApiKeyService.method.updateApiKey);
  const clearExpiration = useAdminMutation(ApiKeyService.method.clearExpiration);
  const error = create.error ?? update.error ?? clearExpiration.error;
  const problem = error ? apiProblem(error) : undefined;
  const busy = create.isPending || update.isPending || clearExpiration.isPending;

  const submit = async () => {
    try {
      if (!apiKey) {
        const created = await create.mutateAsync(createKeyRequest(form));
        if (created.apiKey) onCreated(created.secret, created.apiKey);
        return;
      }
      const { update: request, clearExpiration: clear } = updateKeyRequest(apiKey, form);
      if (Object.keys(request).length > 1) await update.mutateAsync(request);
      if (clear) await clearExpiration.mutateAsync({ id: apiKey.id });
      onClose();
    } catch {
      // The mutation keeps the error; it is shown in the form.
    }
  };

  return (
    <Dialog
      title={apiKey ? t("keys.edit") : t("keys.create")}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      submitDisabled={!keyFormValid(form)}
      submitLabel={apiKey ? t("common.save") : t("common.create")}
      wide
    >
      <div className="grid-2">
        <Field label={t("common.name")} field="name" problem={problem}>
          <input name="name" value={form.name} onChange={(e) => set({ name: e.target.value })} />
        </Field>
        <Field label={t("keys.user")} field="user_id" problem={problem}>
          <select
            name="user_id"
            value={form.userId}
            disabled={apiKey !== undefined}
            onChange={(e) => set({ userId: e.target.value })}
          >
            <option value="">{t("common.choose")}</option>
            {users.data?.users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name ? `${u.name} <${u.email}>` : u.email}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("keys.group")} field="group_id" problem={problem}>
          <select name="group_id" value={form.groupId} onChange={(e) => set({ groupId: e.target.value })}>
            <option value="">{t("common.choose")}</option>
            {groups.data?.groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name} ({t(PLATFORM_LABEL[g.platform])})
              </option>
            ))}
          </select>
        </Field>
        {apiKey ? (
          <Field label={t("common.status")} field="status" problem={problem}>
            <select name="status" value={form.status} onChange={(e) => set({ status: Number(e.target.value) })}>
              <option value={ApiKeyStatus.ACTIVE}>{t("status.active")}</option>
              <option value={ApiKeyStatus.DISABLED}>{t("status.disabled")}</option>
              {form.status === ApiKeyStatus.EXPIRED || form.status === ApiKeyStatus.QUOTA_EXHAUSTED ? (
                <option value={form.status} disabled>
                  {t(form.status === ApiKeyStatus.EXPIRED ? "status.expired" : "status.quotaExhausted")}
                </option>
              ) : null}
            </select>
          </Field>
        ) : null}
        <Field label={t("keys.quota")} field="quota_usd" problem={problem} hint={t("keys.quotaHint")}>
          <input
            name="quota_usd"
            inputMode="decimal"
            placeholder="0"
            value={form.quotaUsd}
            onChange={(e) => set({ quotaUsd: e.target.value })}
          />
        </Field>
      </div>
      <Field
        label={t("keys.expiresAt")}
        field="expires_at"
        problem={problem}
        hint={form.expiresAt === "" ? t("keys.never") : undefined}
      >
        <div className="row">
          <input
            type="datetime-local"
            name="expires_at"
            value={form.expiresAt}
            onChange={(e) => set({ expiresAt: e.target.value })}
          />
          {QUICK_DAYS.map((days) => (
            <button
              key={days}
              type="button"
              className="chip"
              onClick={() => set({ expiresAt: toLocalInput(addDays(new Date(), days)) })}
            >
              {t("keys.plusDays", { days })}
            </button>
          ))}
          <button type="button" className="chip" onClick={() => set({ expiresAt: "" })}>
            {t("keys.never")}
          </button>
        </div>
      </Field>
      <label className="toggle">
        <input
          type="checkbox"
          name="ip_restricted"
          checked={form.ipRestricted}
          onChange={(e) => set({ ipRestricted: e.target.checked })}
        />
        {t("keys.ipRestriction")}
      </label>
      {form.ipRestricted ? (
        <div className="grid-2">
          <IpListEditor
            label={t("keys.ipWhitelist")}
            field="ip_whitelist"
            value={form.ipWhitelist}
            onChange={(v) => set({ ipWhitelist: v })}
            problem={problem}
          />
          <IpListEditor
            label={t("keys.ipBlacklist")}
            field="ip_blacklist"
            value={form.ipBlacklist}
            onChange={(v) => set({ ipBlacklist: v })}
            problem={problem}
          />
        </div>
      ) : null}
      <ProblemBanner error={error} shownFields={FIELDS} />
    </Dialog>
  );
}
