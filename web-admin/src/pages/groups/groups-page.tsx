import { useState } from "react";
import { Platform } from "../../../../gen/tollgate/admin/v1/common_pb.js";
import { type Group, GroupService, GroupStatus } from "../../../../gen/tollgate/admin/v1/group_pb.js";
import { nameOf, useAllGroups } from "../../api/lookups.js";
import { useAdminMutation } from "../../api/mutations.js";
import { Badge } from "../../components/badge.js";
import { ConfirmDialog, Dialog } from "../../components/dialog.js";
import { EmptyRow } from "../../components/empty-row.js";
import { Field } from "../../components/field.js";
import { Loading, ProblemBanner } from "../../components/problem.js";
import { useI18n } from "../../i18n/i18n.js";
import { GROUP_STATUS_LABEL, PLATFORM_LABEL, PLATFORMS } from "../../i18n/labels.js";
import { changedFields } from "../../lib/changed-fields.js";
import { fallbackChoices } from "../../lib/fallback-choices.js";
import { apiProblem } from "../../lib/field-error.js";

type Open = { kind: "create" } | { kind: "edit"; group: Group } | { kind: "delete"; group: Group };

export function GroupsPage() {
  const { t } = useI18n();
  const [open, setOpen] = useState<Open>();
  const groups = useAllGroups();
  const remove = useAdminMutation(GroupService.method.deleteGroup);
  const list = groups.data?.groups ?? [];
  const groupName = nameOf(list, (g) => g.name);
  const close = () => {
    remove.reset();
    setOpen(undefined);
  };

  return (
    <section>
      <div className="toolbar">
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
          {t("groups.create")}
        </button>
      </div>
      <ProblemBanner error={groups.error} />
      {groups.isPending ? (
        <Loading />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("common.name")}</th>
              <th>{t("common.platform")}</th>
              <th className="num">{t("groups.rateMultiplier")}</th>
              <th>{t("groups.claudeCodeOnly")}</th>
              <th>{t("groups.fallback")}</th>
              <th>{t("common.status")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 ? <EmptyRow columns={7}>{t("groups.none")}</EmptyRow> : null}
            {list.map((group) => (
              <tr key={group.id}>
                <td title={group.description}>{group.name}</td>
                <td>{t(PLATFORM_LABEL[group.platform])}</td>
                <td className="num">×{group.rateMultiplier}</td>
                <td>{group.claudeCodeOnly ? t("common.yes") : t("common.no")}</td>
                <td>
                  {group.fallbackGroupId ? (
                    groupName(group.fallbackGroupId)
                  ) : (
                    <span className="muted">{t("common.none")}</span>
                  )}
                </td>
                <td>
                  <Badge tone={group.status === GroupStatus.ACTIVE ? "ok" : "off"}>
                    {t(GROUP_STATUS_LABEL[group.status])}
                  </Badge>
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setOpen({ kind: "edit", group })}>
                    {t("common.edit")}
                  </button>
                  <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", group })}>
                    {t("common.delete")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open?.kind === "create" || open?.kind === "edit" ? (
        <GroupDialog group={open.kind === "edit" ? open.group : undefined} groups={list} onClose={close} />
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("groups.deleteConfirm", { name: open.group.name })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={<ProblemBanner error={remove.error} />}
          onConfirm={() => remove.mutate({ id: open.group.id }, { onSuccess: close })}
          onClose={close}
        />
      ) : null}
    </section>
  );
}

function GroupDialog({ group, groups, onClose }: { group?: Group; groups: readonly Group[]; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({
    name: group?.name ?? "",
    platform: group?.platform ?? Platform.ANTHROPIC,
    rateMultiplier: group?.rateMultiplier ?? "1",
    claudeCodeOnly: group?.claudeCodeOnly ?? false,
    fallbackGroupId: group?.fallbackGroupId ?? "",
    status: group?.status ?? GroupStatus.ACTIVE,
    description: group?.description ?? "",
  });
  const set = (change: Partial<typeof form>) => setForm((f) => ({ ...f, ...change }));
  const create = useAdminMutation(GroupService.method.createGroup);
  const update = useAdminMutation(GroupService.method.updateGroup);
  const error = create.error ?? update.error;
  const problem = error ? apiProblem(error) : undefined;
  const choices = fallbackChoices(groups, group?.id);

  const submit = () => {
    const values = {
      ...form,
      name: form.name.trim(),
      rateMultiplier: form.rateMultiplier.trim(),
      description: form.description.trim(),
    };
    if (group) {
      const keys = ["name", "rateMultiplier", "claudeCodeOnly", "fallbackGroupId", "status", "description"] as const;
      update.mutate({ id: group.id, ...changedFields(group, values, keys) }, { onSuccess: onClose });
    } else create.mutate(values, { onSuccess: onClose });
  };

  return (
    <Dialog
      title={group ? t("groups.edit") : t("groups.create")}
      onClose={onClose}
      onSubmit={submit}
      busy={create.isPending || update.isPending}
    >
      <Field label={t("common.name")} field="name" problem={problem}>
        <input name="name" value={form.name} onChange={(e) => set({ name: e.target.value })} />
      </Field>
      <Field label={t("common.platform")} field="platform" problem={problem}>
        <select
          name="platform"
          value={form.platform}
          disabled={group !== undefined}
          onChange={(e) => set({ platform: Number(e.target.value) })}
        >
          {PLATFORMS.map((p) => (
            <option key={p} value={p}>
              {t(PLATFORM_LABEL[p])}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label={t("groups.rateMultiplier")}
        field="rate_multiplier"
        problem={problem}
        hint={t("groups.rateMultiplierHint")}
      >
        <input
          name="rate_multiplier"
          inputMode="decimal"
          value={form.rateMultiplier}
          onChange={(e) => set({ rateMultiplier: e.target.value })}
        />
      </Field>
      <label className="toggle">
        <input
          type="checkbox"
          name="claude_code_only"
          checked={form.claudeCodeOnly}
          onChange={(e) => set({ claudeCodeOnly: e.target.checked })}
        />
        {t("groups.claudeCodeOnly")}
      </label>
      <Field label={t("groups.fallback")} field="fallback_group_id" problem={problem} hint={t("groups.fallbackHint")}>
        <select
          name="fallback_group_id"
          value={form.fallbackGroupId}
          onChange={(e) => set({ fallbackGroupId: e.target.value })}
        >
          <option value="">{t("common.none")}</option>
          {choices.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name} ({t(PLATFORM_LABEL[g.platform])})
            </option>
          ))}
        </select>
      </Field>
      <Field label={t("common.status")} field="status" problem={problem}>
        <select name="status" value={form.status} onChange={(e) => set({ status: Number(e.target.value) })}>
          <option value={GroupStatus.ACTIVE}>{t("status.active")}</option>
          <option value={GroupStatus.DISABLED}>{t("status.disabled")}</option>
        </select>
      </Field>
      <Field label={t("common.description")} field="description" problem={problem}>
        <input name="description" value={form.description} onChange={(e) => set({ description: e.target.value })} />
      </Field>
      <ProblemBanner
        error={error}
        shownFields={["name", "platform", "rate_multiplier", "fallback_group_id", "status", "description"]}
      />
    </Dialog>
  );
}
