import { useI18n } from "../i18n/i18n.js";
import { formatUsd } from "../lib/format.js";
import { quotaUse } from "../lib/quota.js";

export function QuotaBar({ quotaUsd, usedUsd }: { quotaUsd: string; usedUsd: string }) {
  const { t } = useI18n();
  const use = quotaUse(quotaUsd, usedUsd);
  if (!use.limited) {
    return (
      <span className="quota unlimited">
        {formatUsd(usedUsd)} / {t("keys.unlimited")}
      </span>
    );
  }
  const percent = Math.round(use.fraction * 100);
  const level = use.exhausted ? "full" : use.fraction >= 0.8 ? "high" : "ok";
  return (
    <span className="quota" title={`${percent}%`}>
      <span className="quota-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span className={`quota-fill ${level}`} style={{ width: `${percent}%` }} />
      </span>
      <span className="quota-text">
        {formatUsd(usedUsd)} / {formatUsd(quotaUsd)}
      </span>
    </span>
  );
}
