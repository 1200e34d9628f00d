// Options every paged admin list passes to useInfiniteQuery: list methods take page_token and answer
// next_page_token (empty on the last page); a new filter keeps showing the previous rows while it loads.
export const PAGED = {
  pageParamKey: "pageToken",
  getNextPageParam: (last: { nextPageToken: string }) => last.nextPageToken || undefined,
  placeholderData: <T>(previous: T) => previous,
} as const;
