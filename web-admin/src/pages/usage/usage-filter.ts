import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { UsageFilterSchema } from "../../../../gen/tollgate/admin/v1/usage_pb.js";
import { fromLocalInput } from "../../lib/dates.js";

// The usage page's filter form -> the UsageFilter both the table and the CSV export send.

export interface UsageFilterForm {
  userId: string;
  apiKeyId: string;
  accountId: string;
  model: string;
  /** datetime-local values; empty = open. Start inclusive, end exclusive (as the API). */
  start: string;
  end: string;
}

export const EMPTY_USAGE_FILTER: UsageFilterForm = {
  userId: "",
  apiKeyId: "",
  accountId: "",
  model: "",
  start: "",
  end: "",
};

export function usageFilterOf(form: UsageFilterForm): MessageInitShape<typeof UsageFilterSchema> {
  const start = fromLocalInput(form.start);
  const end = fromLocalInput(form.end);
  return {
    userId: form.userId,
    apiKeyId: form.apiKeyId,
    accountId: form.accountId,
    model: form.model.trim(),
    startTime: start ? timestampFromDate(start) : undefined,
    endTime: end ? timestampFromDate(end) : undefined,
  };
}
