import { useI18n } from "../i18n/i18n.js";
import { type ApiProblem, apiProblem, isProblemOf } from "../lib/field-error.js";

/** An API error where it happened: "invalid_argument — name: is required". */
export function ProblemBanner({ error, shownFields = [] }: { error: unknown; shownFields?: readonly string[] }) {
  const { t } = useI18n();
  if (!error) return null;
  const problem = apiProblem(error);
  // A problem already shown beside its input is not repeated at the top of the form.
  if (shownFields.some((field) => isProblemOf(problem, field))) return null;
  return (
    <div className="problem" role="alert">
      <strong>{problem.code === "unknown" ? t("error.generic") : problem.code}</strong>
      {problem.field ? <code>{problem.field}</code> : null} {problem.text}
    </div>
  );
}

/** The message of a problem that belongs to one input, shown under it. */
export function FieldProblem({ problem, field }: { problem: ApiProblem | undefined; field: string }) {
  if (!problem || !isProblemOf(problem, field)) return null;
  return (
    <div className="field-problem" role="alert">
      {problem.field !== field ? <code>{problem.field}</code> : null} {problem.text}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading" aria-busy="true">
      {t("common.loading")}
    </div>
  );
}
