import type { DescMessage, DescMethodUnary } from "@bufbuild/protobuf";
import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";

/**
 * A mutation that marks every cached query stale once it succeeds: a change to one entity shows in other
 * pages too (a new group in the account form, a reset quota on the dashboard), and admin lists are small.
 */
export function useAdminMutation<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>) {
  const queryClient = useQueryClient();
  return useMutation(method, { onSuccess: () => queryClient.invalidateQueries() });
}
