import { ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type Admin, adminClient, createTenant } from "../admin.js";
import { insertKeysInOneChange } from "../bulk-keys.js";
import type { Child } from "../child.js";
import { probe, waitUntil } from "../http-probe.js";
import { runDatabase } from "../interrupt.js";
import { summarize } from "../stats.js";
import {
  type ControlPlaneProcess,
  type DataPlaneProcess,
  newTokens,
  startControlPlaneProcess,
  startDataPlaneProcess,
} from "../tollgate-processes.js";

// Config propagation at production shape: two control-plane replicas on one PostgreSQL database, two
// data planes (one on each replica) and 10,000 keys. Each change toggles a key's status through one
// replica (alternating); both data planes are polled with that key from the moment the change is
// sent, so "applied" means a data plane answering with the new decision. Propagation is counted from
// the admin call's answer (the commit happened before it); a data plane that already applied the
// change by then counts 0.

export interface PropagationSettings {
  keys: number;
  changes: number;
  /** Keys created through CreateApiKey (the rate is reported); the rest are inserted in one change. */
  keysViaAdminApi: number;
  /** Concurrent CreateApiKey calls. */
  createConcurrency: number;
}

export interface PropagationResult {
  keys: number;
  /** CreateApiKey calls per second through the admin API (serialised config changes). */
  keysCreatedPerSec: number;
  /** From a data plane's start to it serving with the whole snapshot, ms (the slower of the two). */
  initialSyncMs: number;
  changes: number;
  samples: number;
  timeouts: number;
  afterAckP50Ms: number;
  afterAckP99Ms: number;
  afterAckMaxMs: number;
  /** From sending the change (an upper bound that includes the admin call itself). */
  afterSendP50Ms: number;
  afterSendP99Ms: number;
}

const CHANGE_TIMEOUT_MS = 10_000;

export async function runPropagation(
  settings: PropagationSettings,
  logDir: string,
  workDir: string,
  log: (line: string) => void,
): Promise<PropagationResult> {
  const database = await runDatabase();
  const tokens = newTokens();
  const children: Child[] = [];
  try {
    const replica = async (name: string) => {
      const cp = await startControlPlaneProcess({ name, tokens, databaseUrl: database.url, logDir, workDir });
      children.push(cp.child);
      return cp;
    };
    const replicas: ControlPlaneProcess[] = [await replica("controlplane-a"), await replica("controlplane-b")];
    const admins = replicas.map((cp) => adminClient(cp.adminUrl, tokens.TOLLGATE_ADMIN_TOKEN));
    const [first] = admins as [Admin, Admin];
    const probeTenant = await createTenant(first, "propagation", Platform.ANTHROPIC, "http://127.0.0.1:9");

    // A sample through the admin API (its rate is reported), the rest in one change (bulk-keys.ts).
    const viaApi = Math.min(settings.keysViaAdminApi, settings.keys - 1);
    const fillStart = performance.now();
    await createKeys(admins, probeTenant.userId, probeTenant.groupId, viaApi, settings.createConcurrency);
    const keysCreatedPerSec = viaApi / ((performance.now() - fillStart) / 1000);
    await insertKeysInOneChange(database.url, probeTenant.userId, probeTenant.groupId, settings.keys - 1 - viaApi);
    log(
      `  propagation: ${settings.keys} keys (admin API: ${keysCreatedPerSec.toFixed(0)} keys/s with ${settings.createConcurrency} calls in flight)`,
    );

    const headers = { "x-api-key": probeTenant.secret, "anthropic-version": "2023-06-01" };
    const answers = async (dp: DataPlaneProcess) => (await probe(`${dp.url}/v1/models`, { headers })).status;
    const syncStart = performance.now();
    const dataPlanes: DataPlaneProcess[] = [];
    for (const [i, cp] of replicas.entries()) {
      const dp = await startDataPlaneProcess({
        name: `dataplane-${i === 0 ? "a" : "b"}`,
        tokens,
        planeUrl: cp.planeUrl,
        logDir,
        workDir,
      });
      children.push(dp.child);
      dataPlanes.push(dp);
    }
    for (const dp of dataPlanes) {
      await waitUntil(
        `${dp.url} to serve the ${settings.keys}-key snapshot`,
        async () => (await answers(dp)) === 200,
        120_000,
      );
    }
    const initialSyncMs = performance.now() - syncStart;

    const afterAck: number[] = [];
    const afterSend: number[] = [];
    let timeouts = 0;
    for (let i = 0; i < settings.changes; i++) {
      const disable = i % 2 === 0;
      const expected = disable ? 401 : 200;
      const admin = admins[i % admins.length] as Admin;
      const sentAt = performance.now();
      const seen = dataPlanes.map((dp) => firstSeen(() => answers(dp), expected, sentAt + CHANGE_TIMEOUT_MS));
      await admin.keys.updateApiKey({
        id: probeTenant.keyId,
        status: disable ? ApiKeyStatus.DISABLED : ApiKeyStatus.ACTIVE,
      });
      const ackAt = performance.now();
      for (const at of await Promise.all(seen)) {
        if (at === undefined) {
          timeouts++;
          continue;
        }
        afterAck.push(Math.max(0, at - ackAt));
        afterSend.push(at - sentAt);
      }
      // Let the planes go idle so changes do not queue behind each other.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
    const ack = summarize(afterAck);
    const send = summarize(afterSend);
    return {
      keys: settings.keys,
      keysCreatedPerSec,
      initialSyncMs,
      changes: settings.changes,
      samples: afterAck.length,
      timeouts,
      afterAckP50Ms: ack.p50,
      afterAckP99Ms: ack.p99,
      afterAckMaxMs: ack.max,
      afterSendP50Ms: send.p50,
      afterSendP99Ms: send.p99,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await database.drop();
  }
}

/** Creates keys through both replicas, a few calls in flight at a time. */
async function createKeys(admins: Admin[], userId: string, groupId: string, count: number, concurrency: number) {
  let next = 0;
  const worker = async (lane: number) => {
    const admin = admins[lane % admins.length] as Admin;
    while (next < count) {
      const n = next++;
      await admin.keys.createApiKey({ userId, groupId, name: `bulk-${n}` });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => worker(lane)));
}

/** Polls back to back until the answer is the expected status; when it was first seen, or undefined. */
async function firstSeen(ask: () => Promise<number>, expected: number, deadline: number): Promise<number | undefined> {
  while (performance.now() < deadline) {
    if ((await ask()) === expected) return performance.now();
  }
  return undefined;
}
