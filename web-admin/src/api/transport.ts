import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

// Every admin call goes through Connect-Web to the control plane that served this page, with the
// admin token as a bearer token (DESIGN §3). A refused token signs the operator out.

export function createAdminTransport(
  token: () => string | undefined,
  onUnauthenticated: (error: ConnectError) => void,
): Transport {
  const auth: Interceptor = (next) => async (req) => {
    const current = token();
    if (current) req.header.set("Authorization", `Bearer ${current}`);
    try {
      return await next(req);
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.Unauthenticated) onUnauthenticated(error);
      throw error;
    }
  };
  return createConnectTransport({ baseUrl: window.location.origin, interceptors: [auth] });
}
