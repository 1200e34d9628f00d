import { Counter, Gauge, Registry } from "prom-client";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { Surface } from "../policy/request-view.js";
import type { FailoverDecision, UpstreamFailure } from "../routing/failover-policy.js";
import type { RoutingCounts } from "../store/routing-store.js";
import { ArrayHistogram, type HistogramSeries } from "./array-histogram.js";

// The data plane's Prometheus metrics (GET /metrics). Cheap on the hot path: label children are
// looked up in nested maps (no label string built per request) and created once; what every request
// counts goes into plain numbers and arrays that the registry reads when scraped (prom-client's own
// inc and observe hash their labels on every call); gauges that mirror state elsewhere (spool depth,
// config version, slots) are read only when scraped too. Labels carry account ids, never
// credentials. One registry per data plane, so several can share a process.

/** What the gauges read at scrape time. */
export interface MetricSources {
  configVersion(): bigint;
  spoolDepth(): number;
  slotsHeld(): number;
  inFlight(): number;
  routing(): RoutingCounts;
}

/** A response that carries its request's track (the data plane's GatewayResponse). */
export interface TrackedResponse {
  track: RequestTrack | undefined;
  readonly headersSent: boolean;
  readonly statusCode: number;
}

/** One proxied request's labels: counted with its final status when the response closes. */
export interface RequestTrack {
  surface: Surface;
  /** The serving group's platform, once known. */
  platform: Platform;
  startedAt: number;
}

const SURFACES: readonly Surface[] = ["anthropic", "openai", "gemini", "antigravity"];
const PLATFORM_NAMES = new Map<Platform, string>([
  [Platform.UNSPECIFIED, "none"],
  [Platform.ANTHROPIC, "anthropic"],
  [Platform.OPENAI, "openai"],
  [Platform.GEMINI, "gemini"],
  [Platform.ANTIGRAVITY, "antigravity"],
]);
// Seconds; LLM requests range from a count_tokens call to a many-minute stream.
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
/** The response closed before any status was sent: the client went away (nginx's convention). */
const CLIENT_CLOSED = 499;

type Child = { inc(value?: number): void };

/** One label set of a per-request counter: counted here, handed to prom-client at scrape time. */
interface CountCell {
  labels: Record<string, string>;
  count: number;
}

function perSurface<T>(make: (surface: Surface) => T): Map<Surface, T> {
  return new Map(SURFACES.map((surface) => [surface, make(surface)]));
}

/** label value -> child, created on first use. */
class Children<K, T> {
  private readonly map = new Map<K, T>();
  constructor(private readonly make: (value: K) => T) {}
  get(value: K): T {
    let child = this.map.get(value);
    if (!child) {
      child = this.make(value);
      this.map.set(value, child);
    }
    return child;
  }
}

export class DataPlaneMetrics {
  private readonly registry = new Registry();
  private readonly requestsBySurface: Map<Surface, Map<Platform, Children<number, CountCell>>>;
  private readonly durations: Map<Surface, HistogramSeries>;
  private readonly firstTokens: Map<Platform, HistogramSeries>;
  /** Written after the registry's metrics. */
  private readonly histograms: ArrayHistogram[];
  private readonly upstreamErrors: Children<string, Children<string, Child>>;
  private readonly failovers: Children<string, Child>;
  private readonly retries: Children<string, Child>;
  private readonly cooldowns: Children<string, Children<string, Child>>;

  constructor(sources: MetricSources) {
    const registry = this.registry;
    const requestCells: CountCell[] = [];
    new Counter({
      name: "tollgate_requests_total",
      help: "Proxied requests by surface, final status and the serving group's platform.",
      labelNames: ["surface", "status", "platform"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const cell of requestCells) this.inc(cell.labels, cell.count);
      },
    });
    this.requestsBySurface = perSurface(
      (surface) =>
        new Map(
          [...PLATFORM_NAMES].map(([platform, name]) => [
            platform,
            new Children((status: number) => {
              const cell = { labels: { surface, status: String(status), platform: name }, count: 0 };
              requestCells.push(cell);
              return cell;
            }),
          ]),
        ),
    );
    const duration = new ArrayHistogram(
      "tollgate_request_duration_seconds",
      "Time from request to the end of the response (the whole stream), by surface.",
      DURATION_BUCKETS,
    );
    this.durations = perSurface((surface) => duration.seriesFor({ surface }));
    const ttft = new ArrayHistogram(
      "tollgate_time_to_first_token_seconds",
      "Time from request to the first generated token of a billed stream, by the upstream account's platform.",
      TTFT_BUCKETS,
    );
    this.histograms = [duration, ttft];
    this.firstTokens = new Map([...PLATFORM_NAMES].map(([p, platform]) => [p, ttft.seriesFor({ platform })]));
    const errors = new Counter({
      name: "tollgate_upstream_errors_total",
      help: "Failed upstream attempts before the first byte reached the client, by account and kind (status, network, empty_stream).",
      labelNames: ["account_id", "kind"] as const,
      registers: [registry],
    });
    this.upstreamErrors = new Children(
      (account_id: string) => new Children((kind: string) => errors.labels({ account_id, kind })),
    );
    const failovers = new Counter({
      name: "tollgate_failovers_total",
      help: "Requests switched away from an account to another, by the account left.",
      labelNames: ["account_id"] as const,
      registers: [registry],
    });
    this.failovers = new Children((account_id: string) => failovers.labels({ account_id }));
    const retries = new Counter({
      name: "tollgate_same_account_retries_total",
      help: "Transient failures retried on the same account, by account.",
      labelNames: ["account_id"] as const,
      registers: [registry],
    });
    this.retries = new Children((account_id: string) => retries.labels({ account_id }));
    const cooldowns = new Counter({
      name: "tollgate_account_cooldowns_total",
      help: "Accounts marked by the failover policy, by account and mark (rate_limited, overloaded, temp_unschedulable, error).",
      labelNames: ["account_id", "kind"] as const,
      registers: [registry],
    });
    this.cooldowns = new Children(
      (account_id: string) => new Children((kind: string) => cooldowns.labels({ account_id, kind })),
    );
    new Gauge({
      name: "tollgate_requests_in_flight",
      help: "Requests being served by this data plane.",
      registers: [registry],
      collect() {
        this.set(sources.inFlight());
      },
    });
    new Gauge({
      name: "tollgate_concurrency_slots_held",
      help: "Account concurrency slots held by this data plane's requests.",
      registers: [registry],
      collect() {
        this.set(sources.slotsHeld());
      },
    });
    new Gauge({
      name: "tollgate_usage_spool_depth",
      help: "Usage records spooled and not yet acknowledged by the control plane.",
      registers: [registry],
      collect() {
        this.set(sources.spoolDepth());
      },
    });
    new Counter({
      name: "tollgate_routing_acquires_total",
      help: "Routing decisions (slot acquisitions, a queued request's retries included), by whether they waited for a round trip to Redis.",
      labelNames: ["round_trip"],
      registers: [registry],
      collect() {
        const counts = sources.routing();
        this.reset();
        this.inc({ round_trip: "true" }, counts.roundTrips);
        this.inc({ round_trip: "false" }, counts.acquires - counts.roundTrips);
      },
    });
    new Gauge({
      name: "tollgate_routing_known_sessions",
      help: "Sessions this data plane remembers the account of, to route them without a round trip to Redis (0 in memory).",
      registers: [registry],
      collect() {
        this.set(sources.routing().knownSessions);
      },
    });
    new Gauge({
      name: "tollgate_config_version",
      help: "Version of the config this data plane serves (0: none yet).",
      registers: [registry],
      collect() {
        this.set(Number(sources.configVersion()));
      },
    });
  }

  /** Starts tracking one proxied request; end() counts it once its response has closed. */
  begin(surface: Surface, res: TrackedResponse): void {
    res.track = { surface, platform: Platform.UNSPECIFIED, startedAt: performance.now() };
  }

  /** The response closed: count the request begun on it, if any. */
  end(res: TrackedResponse): void {
    const track = res.track;
    if (!track) return;
    const status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
    const cell = this.requestsBySurface.get(track.surface)?.get(track.platform)?.get(status);
    if (cell) cell.count++;
    this.durations.get(track.surface)?.observe((performance.now() - track.startedAt) / 1000);
  }

  /** The request's key was admitted to a group of this platform. */
  platform(res: TrackedResponse, platform: Platform): void {
    if (res.track) res.track.platform = platform;
  }

  /** A billed stream's time to first token. */
  firstToken(platform: Platform, ms: number): void {
    this.firstTokens.get(platform)?.observe(ms / 1000);
  }

  /** One failed upstream attempt and what the failover policy decided about it. */
  upstreamFailed(accountId: string, failure: UpstreamFailure, decision: FailoverDecision): void {
    const kind = failure.kind === "http" ? String(failure.status) : failure.kind;
    this.upstreamErrors.get(accountId).get(kind).inc();
    if (decision.action === "retry_same") {
      this.retries.get(accountId).inc();
      return;
    }
    if (decision.action === "switch") this.failovers.get(accountId).inc();
    if (decision.mark.kind !== "none") this.cooldowns.get(accountId).get(decision.mark.kind).inc();
  }

  async render(): Promise<string> {
    const text = await this.registry.metrics();
    return `${text}\n${this.histograms.map((histogram) => histogram.exposition()).join("\n\n")}\n`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
