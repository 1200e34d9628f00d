import { useI18n } from "../i18n/i18n.js";

/** The footer of a paged table. */
export function LoadMore({
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
}: {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): unknown;
}) {
  const { t } = useI18n();
  if (!hasNextPage) return null;
  return (
    <div className="load-more">
      <button type="button" disabled={isFetchingNextPage} onClick={() => fetchNextPage()}>
        {isFetchingNextPage ? t("common.loading") : t("common.loadMore")}
      </button>
    </div>
  );
}
