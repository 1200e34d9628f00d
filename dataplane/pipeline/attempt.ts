import type { IncomingHttpHeaders } from "node:http";
import type { ParsedRequest, Protocol, StreamObserver } from "../protocols/protocol.js";
import type { UpstreamFailure } from "../routing/failover-policy.js";
import { responseHeaders } from "../upstream/forward-headers.js";
import type { UpstreamCall, UpstreamHead, UpstreamRequest } from "../upstream/upstream-call.js";
import type { UpstreamClient } from "../upstream/upstream-client.js";
import { BodyObserver } from "./body-observer.js";
import type { ClientResponse } from "./client-response.js";
import { jsonOrUndefined } from "./json-body.js";
import { type RelayOutcome, relay } from "./relay.js";

// One try on one account. Until the client has seen a byte the outcome is still open (DESIGN §5.9):
// an error status, a dead connection, an empty stream, or an error as the stream's first event
// (Anthropic sends overload that way) is returned as a failure for the failover policy. A stream's
// first event is held until it is known good; from then on the answer is relayed as it arrives.

export type AttemptResult =
  | { kind: "served"; status: number; observer: StreamObserver; outcome: RelayOutcome }
  | { kind: "failed"; failure: UpstreamFailure; passThrough?: { status: number; contentType: string; body: Buffer } }
  | { kind: "client_gone" };

// An upstream error body is read up to this size, to decide on it or pass it on.
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Told of an answer about to be complete (relay.ts says when): its status and what was observed. The
 * answer's last bytes leave once `written` is called.
 */
export type Completing = (status: number, observer: StreamObserver, written: () => void) => void;

export async function attempt(
  upstream: UpstreamClient,
  request: UpstreamRequest,
  client: ClientResponse,
  protocol: Protocol,
  parsed: ParsedRequest,
  completing: Completing,
): Promise<AttemptResult> {
  const call = upstream.start(request);
  const abortOnClose = () => call.abort(new Error("client disconnected"));
  client.whenClosed(abortOnClose);
  let head: UpstreamHead;
  try {
    head = await call.head;
  } catch (error) {
    client.whenClosed(undefined);
    return client.gone
      ? { kind: "client_gone" }
      : { kind: "failed", failure: { kind: "network", message: (error as Error).message } };
  }
  client.whenClosed(undefined);

  if (head.status >= 400) {
    const body = await call.collect(ERROR_BODY_LIMIT).catch(() => Buffer.alloc(0));
    if (client.gone) return { kind: "client_gone" };
    const headers = flatHeaders(head.headers);
    return {
      kind: "failed",
      failure: {
        kind: "http",
        status: head.status,
        headers,
        body: jsonOrUndefined(body) ?? body.toString("utf8"),
      },
      passThrough: { status: head.status, contentType: headers["content-type"] ?? "application/json", body },
    };
  }

  if (!parsed.stream) {
    commitHead(client, head, true);
    const observer = new BodyObserver(protocol);
    const outcome = await relay(call, client, observer, protocol, false, (written) =>
      completing(head.status, observer, written),
    );
    return { kind: "served", status: head.status, observer, outcome };
  }

  const observer = protocol.createStreamObserver(() => performance.now());
  const gate = await holdFirstEvent(call, observer, client);
  // The upstream accepted the request and began: what it reported so far (else an estimate) is billed.
  if (gate.kind === "client_gone") return { kind: "served", status: head.status, observer, outcome: "client_gone" };
  if (gate.kind === "failed") return gate;
  commitHead(client, head, false);
  // The call remembers an end or failure that came meanwhile; relay picks it up.
  const outcome = await relay(
    call,
    client,
    observer,
    protocol,
    true,
    (written) => completing(head.status, observer, written),
    gate.held,
  );
  return { kind: "served", status: head.status, observer, outcome };
}

function commitHead(client: ClientResponse, head: UpstreamHead, keepLength: boolean): void {
  client.stopKeepAlive();
  if (!client.res.headersSent) client.res.writeHead(head.status, responseHeaders(head.headers, keepLength));
}

type Gate = { kind: "open"; held: Buffer[] } | { kind: "failed"; failure: UpstreamFailure } | { kind: "client_gone" };

/**
 * Buffers the stream until its first whole event is seen (or it ends), feeding the observer. Chunks
 * that arrive after the verdict but before the relay takes over (the same socket read) keep being
 * held, so none is lost.
 */
function holdFirstEvent(call: UpstreamCall, observer: StreamObserver, client: ClientResponse): Promise<Gate> {
  return new Promise((resolve) => {
    const held: Buffer[] = [];
    let decided: Gate["kind"] | undefined;
    const decide = (gate: Gate) => {
      if (decided) return;
      decided = gate.kind;
      client.whenClosed(undefined);
      resolve(gate);
    };
    const judge = (ended: boolean) => {
      if (observer.streamError) {
        call.abort(new Error("stream error event before the first byte reached the client"));
        decide({ kind: "failed", failure: streamErrorFailure(observer.streamError) });
      } else if (observer.events > 0) {
        decide({ kind: "open", held });
      } else if (ended) {
        decide({ kind: "failed", failure: { kind: "empty_stream" } });
      }
    };
    const onClose = () => {
      call.abort(new Error("client disconnected"));
      decide({ kind: "client_gone" });
    };
    client.whenClosed(onClose);
    call.attach({
      write(chunk) {
        if (decided === "failed" || decided === "client_gone") return true;
        observer.push(chunk);
        held.push(chunk);
        if (!decided) judge(false);
        return true;
      },
      end() {
        if (!decided) judge(true);
      },
      fail(error) {
        if (!decided) decide({ kind: "failed", failure: { kind: "network", message: error.message } });
      },
    });
  });
}

/** An error event in place of the stream's first event, as the status the provider would have answered. */
export function streamErrorFailure(error: { type: string; message: string }): UpstreamFailure {
  const type = error.type.toLowerCase();
  const status = /overload/.test(type)
    ? 529
    : /rate_limit|resource_exhausted|quota/.test(type)
      ? 429
      : /auth|permission|unauthenticated/.test(type)
        ? 401
        : 500;
  return { kind: "http", status, headers: {}, body: { error: { type: error.type, message: error.message } } };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name in headers) {
    const value = headers[name];
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
