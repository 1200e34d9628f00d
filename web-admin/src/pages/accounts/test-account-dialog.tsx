import { useState } from "react";
import { type Account, AccountService } from "../../../../gen/tollgate/admin/v1/account_pb.js";
import { useAdminMutation } from "../../api/mutations.js";
import { Dialog } from "../../components/dialog.js";
import { Field } from "../../components/field.js";
import { ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";

/** Sends one small request upstream with the account's credentials and shows what came back. */
export function TestAccountDialog({ account, onClose }: { account: Account; onClose(): void }) {
  const { t } = useI18n();
  const [model, setModel] = useState("");
  const test = useAdminMutation(AccountService.method.testAccount);
  const result = test.data;
  return (
    <Dialog
      title={t("accounts.testTitle", { name: account.name })}
      onClose={onClose}
      onSubmit={() => test.mutate({ id: account.id, model: model.trim() })}
      submitLabel={t("accounts.runTest")}
      busy={test.isPending}
    >
      <Field label={t("accounts.testModel")} hint={t("accounts.testModelHint")}>
        <input name="model" value={model} onChange={(e) => setModel(e.target.value)} />
      </Field>
      {result ? (
        <div className={result.ok ? "test-result ok" : "test-result bad"} role="status">
          <strong>{result.ok ? t("accounts.testOk") : t("accounts.testFailed")}</strong>
          <span>
            HTTP {result.statusCode || "—"} · {String(result.latencyMs)} ms
          </span>
          <pre>{result.message}</pre>
        </div>
      ) : null}
      <ProblemBanner error={test.error} />
    </Dialog>
  );
}
