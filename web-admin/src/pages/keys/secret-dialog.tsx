import { CopyButton } from "../../components/copy-button.js";
import { Dialog } from "../../components/dialog.js";
import { useI18n } from "../../i18n/i18n.js";

/** The full key, once: only its hash is stored (DESIGN §7). */
export function SecretDialog({ name, secret, onClose }: { name: string; secret: string; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t("keys.secretTitle", { name })} onClose={onClose}>
      <p className="warning">{t("keys.secretOnce")}</p>
      <div className="secret">
        <code data-testid="secret">{secret}</code>
        <CopyButton text={secret} />
      </div>
    </Dialog>
  );
}
