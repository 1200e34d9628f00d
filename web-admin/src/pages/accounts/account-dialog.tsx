import { useState } from "react";
import { effectiveBaseUrl } from "../../../../common/effective-base-url.js";
import {
  type Account,
  AccountService,
  AccountStatus,
  AccountType,
} from "../../../../gen/tollgate/admin/v1/account_pb.js";
import { useAllGroups } from "../../api/lookups.js";
import { useAdminMutation } from "../../api/mutations.js";
import { Dialog } from "../../components/dialog.js";
import { Field } from "../../components/field.js";
import { FieldProblem, ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";
import { ACCOUNT_TYPE_LABEL, PLATFORM_LABEL, PLATFORMS } from "../../i18n/labels.js";
import { apiProblem } from "../../lib/field-error.js";
import {
  type AccountForm,
  accountFormOf,
  accountFormValid,
  createAccountRequest,
  emptyAccountForm,
  updateAccountRequest,
  wholeNumber,
} from "./account-form.js";

const FIELDS = [
  "name",
  "platform",
  "type",
  "base_url",
  "group_ids",
  "priority",
  "concurrency",
  "credentials",
  "models",
  "status",
  "schedulable",
];

export function AccountDialog({ account, onClose }: { account?: Account; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<AccountForm>(() => (account ? accountFormOf(account) : emptyAccountForm()));
  const set = (change: Partial<AccountForm>) => setForm((f) => ({ ...f, ...change }));
  const groups = useAllGroups();
  const create = useAdminMutation(AccountService.method.createAccount);
  const update = useAdminMutation(AccountService.method.updateAccount);
  const error = create.error ?? update.error;
  const problem = error ? apiProblem(error) : undefined;
  const platformGroups = (groups.data?.groups ?? []).filter((g) => g.platform === form.platform);
  const submit = () => {
    if (account) update.mutate(updateAccountRequest(account, form), { onSuccess: onClose });
    else create.mutate(createAccountRequest(form), { onSuccess: onClose });
  };
  const toggleGroup = (id: string, on: boolean) =>
    set({ groupIds: on ? [...form.groupIds, id] : form.groupIds.filter((g) => g !== id) });

  return (
    <Dialog
      title={account ? t("accounts.edit") : t("accounts.create")}
      onClose={onClose}
      onSubmit={submit}
      busy={create.isPending || update.isPending}
      submitDisabled={!accountFormValid(form)}
      wide
    >
      <div className="grid-2">
        <Field label={t("common.name")} field="name" problem={problem}>
          <input name="name" value={form.name} onChange={(e) => set({ name: e.target.value })} />
        </Field>
        <Field label={t("common.platform")} field="platform" problem={problem}>
          <select
            name="platform"
            value={form.platform}
            disabled={account !== undefined}
            onChange={(e) => set({ platform: Number(e.target.value), groupIds: [] })}
          >
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {t(PLATFORM_LABEL[p])}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("accounts.type")} field="type" problem={problem}>
          <select
            name="type"
            value={form.type}
            disabled={account !== undefined}
            onChange={(e) => set({ type: Number(e.target.value) })}
          >
            {[AccountType.APIKEY, AccountType.OAUTH].map((type) => (
              <option key={type} value={type}>
                {t(ACCOUNT_TYPE_LABEL[type])}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t("accounts.baseUrl")}
          field="base_url"
          problem={problem}
          hint={
            <>
              {t("accounts.effectiveBaseUrl")}:{" "}
              <code data-testid="base-url-preview">{effectiveBaseUrl(form.platform, form.type, form.baseUrl)}</code>
            </>
          }
        >
          <input
            name="base_url"
            placeholder={effectiveBaseUrl(form.platform, AccountType.OAUTH, "")}
            value={form.baseUrl}
            onChange={(e) => set({ baseUrl: e.target.value })}
          />
        </Field>
      </div>
      {form.type === AccountType.APIKEY ? (
        <Field
          label={t("accounts.apiKey")}
          field="credentials"
          problem={problem}
          hint={account ? t("accounts.credentialsKept") : undefined}
        >
          <input
            name="api_key"
            type="password"
            autoComplete="off"
            value={form.apiKey}
            onChange={(e) => set({ apiKey: e.target.value })}
          />
        </Field>
      ) : (
        <div className="grid-2">
          <Field
            label={t("accounts.accessToken")}
            field="credentials"
            problem={problem}
            hint={account ? t("accounts.credentialsKept") : undefined}
          >
            <input
              name="access_token"
              type="password"
              autoComplete="off"
              value={form.accessToken}
              onChange={(e) => set({ accessToken: e.target.value })}
            />
          </Field>
          <Field label={t("accounts.refreshToken")}>
            <input
              name="refresh_token"
              type="password"
              autoComplete="off"
              value={form.refreshToken}
              onChange={(e) => set({ refreshToken: e.target.value })}
            />
          </Field>
          <Field label={t("accounts.tokenExpiresAt")} field="credentials.expires_at" problem={problem}>
            <input
              type="datetime-local"
              name="token_expires_at"
              value={form.tokenExpiresAt}
              onChange={(e) => set({ tokenExpiresAt: e.target.value })}
            />
          </Field>
        </div>
      )}
      <div className="grid-2">
        <Field
          label={t("accounts.priority")}
          field="priority"
          problem={problem}
          hint={wholeNumber(form.priority) === undefined ? t("error.wholeNumber") : t("accounts.priorityHint")}
        >
          <input
            name="priority"
            inputMode="numeric"
            value={form.priority}
            onChange={(e) => set({ priority: e.target.value })}
          />
        </Field>
        <Field
          label={t("accounts.concurrency")}
          field="concurrency"
          problem={problem}
          hint={wholeNumber(form.concurrency) === undefined ? t("error.wholeNumber") : t("accounts.concurrencyHint")}
        >
          <input
            name="concurrency"
            inputMode="numeric"
            value={form.concurrency}
            onChange={(e) => set({ concurrency: e.target.value })}
          />
        </Field>
      </div>
      <fieldset className="field">
        <legend className="field-label">{t("accounts.groups")}</legend>
        {platformGroups.length === 0 ? <span className="muted">{t("accounts.noGroupsForPlatform")}</span> : null}
        <div className="checks">
          {platformGroups.map((g) => (
            <label key={g.id} className="toggle">
              <input
                type="checkbox"
                checked={form.groupIds.includes(g.id)}
                onChange={(e) => toggleGroup(g.id, e.target.checked)}
              />
              {g.name}
            </label>
          ))}
        </div>
        <FieldProblem problem={problem} field="group_ids" />
      </fieldset>
      <Field label={t("accounts.models")} field="models" problem={problem} hint={t("accounts.modelsHint")}>
        <textarea name="models" rows={2} value={form.models} onChange={(e) => set({ models: e.target.value })} />
      </Field>
      <div className="row">
        <label className="toggle">
          <input
            type="checkbox"
            name="schedulable"
            checked={form.schedulable}
            onChange={(e) => set({ schedulable: e.target.checked })}
          />
          {t("accounts.schedulable")}
        </label>
        {account ? (
          <label className="toggle">
            <input
              type="checkbox"
              name="disabled"
              checked={form.status === AccountStatus.DISABLED}
              onChange={(e) => set({ status: e.target.checked ? AccountStatus.DISABLED : AccountStatus.ACTIVE })}
            />
            {t("status.disabled")}
          </label>
        ) : null}
      </div>
      <ProblemBanner error={error} shownFields={FIELDS} />
    </Dialog>
  );
}
