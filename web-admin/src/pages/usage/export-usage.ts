import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import type { UsageFilterSchema, UsageLog, UsageService } from "../../../../gen/tollgate/admin/v1/usage_pb.js";
import { toCsv } from "../../lib/csv.js";
import { USAGE_CSV_HEADER, type UsageNames, usageCsvRow } from "./usage-csv.js";

// CSV export of the current filter, built in the browser: every page is fetched (the largest page the API
// allows), so the file holds all matching logs, not just what the table has loaded.

const PAGE_SIZE = 500;

export async function fetchAllUsageLogs(
  client: Client<typeof UsageService>,
  filter: MessageInitShape<typeof UsageFilterSchema>,
  onProgress: (fetched: number) => void,
): Promise<UsageLog[]> {
  const logs: UsageLog[] = [];
  let pageToken = "";
  do {
    const page = await client.listUsageLogs({ pageSize: PAGE_SIZE, pageToken, filter });
    logs.push(...page.logs);
    onProgress(logs.length);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return logs;
}

export function usageCsv(logs: readonly UsageLog[], names: UsageNames): string {
  return toCsv([[...USAGE_CSV_HEADER], ...logs.map((log) => usageCsvRow(log, names))]);
}

export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
