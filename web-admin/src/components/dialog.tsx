import { type FormEvent, type ReactNode, useEffect, useId } from "react";
import { useI18n } from "../i18n/i18n.js";

/** A modal form: Escape or Cancel closes it, Enter submits it. */
export function Dialog(props: {
  title: string;
  onClose(): void;
  onSubmit?(): void;
  submitLabel?: string;
  busy?: boolean;
  submitDisabled?: boolean;
  danger?: boolean;
  wide?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const titleId = useId();
  const { onClose } = props;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!props.busy && !props.submitDisabled) props.onSubmit?.();
  };
  return (
    <div className="overlay">
      <div className={props.wide ? "dialog wide" : "dialog"} role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <form onSubmit={submit}>
          <h2 id={titleId}>{props.title}</h2>
          <div className="dialog-body">{props.children}</div>
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              {props.onSubmit ? t("common.cancel") : t("common.close")}
            </button>
            {props.onSubmit ? (
              <button
                type="submit"
                className={props.danger ? "danger" : "primary"}
                disabled={props.busy || props.submitDisabled}
              >
                {props.busy ? t("common.saving") : (props.submitLabel ?? t("common.save"))}
              </button>
            ) : null}
          </div>
        </form>
      </div>
    </div>
  );
}

/** "Are you sure?" before an action that cannot be undone. */
export function ConfirmDialog(props: {
  title: string;
  message: string;
  confirmLabel: string;
  busy?: boolean;
  error?: ReactNode;
  onConfirm(): void;
  onClose(): void;
}) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      onSubmit={props.onConfirm}
      submitLabel={props.confirmLabel}
      busy={props.busy}
      danger
    >
      <p>{props.message}</p>
      {props.error}
    </Dialog>
  );
}
