import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiKeyService } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { startUpstreamSim, type UpstreamSim } from "../../upstream-sim/index.js";
import { buildWebAdmin } from "./support/build-web-admin.js";
import { type Browser, launchChromium } from "./support/chromium.js";
import { type RunningTollgate, startTollgate } from "./support/tollgate-process.js";

// The web admin driven in a real browser against `tollgate start`, the way an operator uses it: every
// change is made through the UI and checked through the admin API (and, for the key, by using it).

const ADMIN_TOKEN = "web-admin-test-token";
const SCREENSHOTS = join(import.meta.dirname, "screenshots");
const DAY_MS = 86_400_000;

let sim: UpstreamSim;
let tollgate: RunningTollgate;
let browser: Browser;
let page: Page;
let keys: Client<typeof ApiKeyService>;
let webRoot: string;
let secret = "";
let keyId = "";

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function openPage(navLabel: string, heading: string): Promise<void> {
  await page.getByRole("navigation").getByRole("link", { name: navLabel }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

const dialog = () => page.getByRole("dialog");

async function save(): Promise<void> {
  await dialog().locator("button[type=submit]").click();
  await dialog().waitFor({ state: "detached" });
}

// A setup failure (no chromium, tollgate not starting) fails every test rather than skipping them.
let setupError: unknown;

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
}, 90_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

async function setUp(): Promise<void> {
  webRoot = await mkdtemp(join(tmpdir(), "tollgate-web-root-"));
  await mkdir(SCREENSHOTS, { recursive: true });
  // The browser first: a machine without chromium fails here, before anything slower starts.
  browser = await launchChromium();
  const [started, upstream] = await Promise.all([
    buildWebAdmin(webRoot).then(() => startTollgate({ adminToken: ADMIN_TOKEN, webRoot })),
    startUpstreamSim({ quiet: true }),
  ]);
  tollgate = started;
  sim = upstream;
  const auth: Interceptor = (next) => (req) => {
    req.header.set("Authorization", `Bearer ${ADMIN_TOKEN}`);
    return next(req);
  };
  keys = createClient(
    ApiKeyService,
    createConnectTransport({ baseUrl: tollgate.adminUrl, httpVersion: "1.1", interceptors: [auth] }),
  );
  page = await browser.context.newPage();
  // A missing element fails its step with playwright's own message, well inside the test's timeout.
  page.setDefaultTimeout(10_000);
}

afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && page) await shot(`failed-${task.name.replace(/\W+/g, "-")}`);
});

afterAll(async () => {
  await browser?.close();
  await tollgate?.stop();
  await sim?.close();
  if (webRoot) await rm(webRoot, { recursive: true, force: true });
});

describe("web admin in a browser", () => {
  it("refuses a wrong token as unauthenticated, then signs in", async () => {
    await page.goto(tollgate.adminUrl);
    await page.locator("input[name=token]").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator(".problem").textContent()).toContain("unauthenticated");
    await shot("01-sign-in-refused");
    await page.locator("input[name=token]").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("tollgate.adminToken"))).toBe(ADMIN_TOKEN);
  });

  it("creates groups, shows a server error beside its field, and never offers a fallback that loops", async () => {
    await openPage("Groups", "Groups");
    await page.getByRole("button", { name: "New group" }).click();
    await dialog().locator("input[name=name]").fill("claude-pool");
    await dialog().locator("input[name=rate_multiplier]").fill("cheap");
    await dialog().locator("button[type=submit]").click();
    const fieldProblem = dialog()
      .locator(".field", { has: page.locator("input[name=rate_multiplier]") })
      .locator(".field-problem");
    await expect.poll(() => fieldProblem.textContent()).toContain("must be a non-negative decimal");
    await dialog().locator("input[name=rate_multiplier]").fill("1.5");
    await save();
    await page.locator("tr", { hasText: "claude-pool" }).waitFor();

    await page.getByRole("button", { name: "New group" }).click();
    await dialog().locator("input[name=name]").fill("overflow");
    await dialog().locator("select[name=fallback_group_id]").selectOption({ label: "claude-pool (Anthropic)" });
    await save();
    await expect.poll(() => page.locator("tr", { hasText: "overflow" }).textContent()).toContain("claude-pool");

    // claude-pool may not fall back to overflow: overflow already falls back to claude-pool.
    await page
      .locator("tr", { hasText: "claude-pool" })
      .filter({ hasNotText: "overflow" })
      .getByRole("button", { name: "Edit" })
      .click();
    const offered = await dialog().locator("select[name=fallback_group_id] option").allTextContents();
    expect(offered).toEqual(["None"]);
    await shot("02-groups-fallback-picker");
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await shot("03-groups");
  });

  it("creates an account, previewing the effective base URL while typing, and tests it", async () => {
    await openPage("Accounts", "Accounts");
    await page.getByRole("button", { name: "New account" }).click();
    const preview = dialog().getByTestId("base-url-preview");
    await dialog().locator("input[name=name]").fill("sim-anthropic");
    await dialog().locator("select[name=platform]").selectOption({ label: "Antigravity" });
    expect(await preview.textContent()).toBe("https://cloudcode-pa.googleapis.com/antigravity");
    await dialog().locator("input[name=base_url]").fill(`${sim.url}/`);
    expect(await preview.textContent()).toBe(`${sim.url}/antigravity`);
    await dialog().locator("select[name=type]").selectOption({ label: "OAuth" });
    expect(await preview.textContent()).toBe(sim.url);
    await dialog().locator("select[name=type]").selectOption({ label: "API key" });
    await dialog().locator("select[name=platform]").selectOption({ label: "Anthropic" });
    expect(await preview.textContent()).toBe(sim.url);
    await dialog().locator("input[name=api_key]").fill("sim-key-1");
    await dialog().getByLabel("claude-pool").check();
    await shot("04-account-dialog");
    await save();
    const row = page.locator("tr", { hasText: "sim-anthropic" });
    await expect.poll(() => row.textContent()).toContain(sim.url);
    expect(await row.textContent()).toContain("claude-pool");
    await shot("05-accounts");

    await row.getByRole("button", { name: "Test", exact: true }).click();
    await dialog().getByRole("button", { name: "Send test request" }).click();
    await expect.poll(() => dialog().getByRole("status").textContent()).toContain("The upstream answered");
    expect(await dialog().getByRole("status").textContent()).toContain("HTTP 200");
    await shot("06-account-test");
    await dialog().getByRole("button", { name: "Cancel" }).click();
  });

  it("creates a user and adjusts the balance with a reason", async () => {
    await openPage("Users", "Users");
    await page.getByRole("button", { name: "New user" }).click();
    await dialog().locator("input[name=email]").fill("ann@example.com");
    await dialog().locator("input[name=name]").fill("Ann");
    await dialog().locator("input[name=balance_usd]").fill("20");
    await save();
    const row = page.locator("tr", { hasText: "ann@example.com" });
    await expect.poll(() => row.textContent()).toContain("$20");
    await row.getByRole("button", { name: "Adjust balance" }).click();
    await dialog().locator("input[name=amount_usd]").fill("5.5");
    await dialog().locator("input[name=reason]").fill("welcome credit");
    await save();
    await expect.poll(() => row.textContent()).toContain("$25.5");
    await shot("07-users");
  });

  it("creates a key and shows its secret once, with a copy button", async () => {
    await openPage("API keys", "API keys");
    await page.getByRole("button", { name: "New key" }).click();
    await dialog().locator("input[name=name]").fill("laptop");
    await dialog().locator("select[name=user_id]").selectOption({ label: "Ann <ann@example.com>" });
    await dialog().locator("select[name=group_id]").selectOption({ label: "claude-pool (Anthropic)" });
    await dialog().locator("button[type=submit]").click();
    secret = (await page.getByTestId("secret").textContent()) ?? "";
    expect(secret).toMatch(/^sk-tg-[0-9A-Za-z]{40}$/);
    await expect(dialog().getByRole("button", { name: "Copy" }).isVisible()).resolves.toBe(true);
    await shot("08-key-secret-once");
    await dialog().getByRole("button", { name: "Close" }).click();
    await page.locator("tr", { hasText: "laptop" }).waitFor();
    expect(await page.content()).not.toContain(secret);
    const listed = await keys.listApiKeys({});
    expect(listed.apiKeys.map((k) => k.name)).toEqual(["laptop"]);
    keyId = listed.apiKeys[0]?.id ?? "";
    expect(secret.startsWith(listed.apiKeys[0]?.keyPrefix ?? "?")).toBe(true);
  });

  it("sets a quota and +30 days, then resets the used quota behind a confirmation", async () => {
    const row = page.locator("tr", { hasText: "laptop" });
    await row.getByRole("button", { name: "Edit" }).click();
    await dialog().locator("input[name=quota_usd]").fill("5");
    await dialog().getByRole("button", { name: "+30 days" }).click();
    await save();
    const edited = (await keys.getApiKey({ id: keyId })).apiKey;
    expect(edited?.quotaUsd).toBe("5");
    const expires = edited?.expiresAt ? timestampDate(edited.expiresAt).getTime() : 0;
    expect(Math.abs(expires - (Date.now() + 30 * DAY_MS))).toBeLessThan(10 * 60_000);
    await expect.poll(() => row.textContent()).toContain("$0 / $5");
    expect(await row.locator("td.expires").textContent()).not.toBe("Never");

    // Spend through the gateway with the secret that was shown, so there is quota to reset.
    const anthropic = new Anthropic({ apiKey: secret, baseURL: tollgate.gatewayUrl, maxRetries: 0 });
    const reply = await anthropic.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 32,
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(reply.content[0]?.type === "text" && reply.content[0].text).toBe("Hello from upstream-sim.");
    await expect
      .poll(async () => (await keys.getApiKey({ id: keyId })).apiKey?.quotaUsedUsd, { timeout: 15_000 })
      .not.toBe("0");
    await page.reload();
    await expect.poll(() => row.locator(".quota-text").textContent()).not.toContain("$0 /");
    await shot("09-keys-quota-used");

    await row.getByRole("button", { name: "Reset quota" }).click();
    expect(await dialog().textContent()).toContain("Set the used quota of laptop back to 0?");
    await shot("10-reset-quota-confirm");
    await dialog().getByRole("button", { name: "Reset quota" }).click();
    await dialog().waitFor({ state: "detached" });
    expect((await keys.getApiKey({ id: keyId })).apiKey?.quotaUsedUsd).toBe("0");
    await expect.poll(() => row.locator(".quota-text").textContent()).toBe("$0 / $5");

    await row.getByRole("button", { name: "Clear expiration" }).click();
    await expect.poll(() => row.locator("td.expires").textContent()).toBe("Never");
    expect((await keys.getApiKey({ id: keyId })).apiKey?.expiresAt).toBeUndefined();
  });

  it("refuses an invalid CIDR as it is typed, then saves an IP restriction", async () => {
    const row = page.locator("tr", { hasText: "laptop" });
    await row.getByRole("button", { name: "Edit" }).click();
    await dialog().getByLabel("Restrict by IP address").check();
    const whitelist = dialog().locator("textarea[name=ip_whitelist]");
    await whitelist.fill("10.0.0.0/8\n10.1.0.0/33");
    const problem = dialog()
      .locator(".field", { has: page.locator("textarea[name=ip_whitelist]") })
      .locator(".field-problem");
    await expect.poll(() => problem.textContent()).toContain('Line 2: "10.1.0.0/33" has an invalid prefix length');
    expect(await whitelist.getAttribute("aria-invalid")).toBe("true");
    expect(await dialog().locator("button[type=submit]").isDisabled()).toBe(true);
    await shot("11-ip-restriction-invalid");
    await whitelist.fill("10.0.0.0/8\n2001:db8::/32");
    expect(await problem.count()).toBe(0);
    await save();
    await row.getByRole("img", { name: /IP restricted: 2 allowed, 0 refused/ }).waitFor();
    expect((await keys.getApiKey({ id: keyId })).apiKey?.ipWhitelist).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    await shot("12-keys");
  });

  it("lists usage with the client IP and exports the filtered logs as CSV", async () => {
    await openPage("Usage logs", "Usage logs");
    const row = page.locator("tbody tr", { hasText: "claude-sonnet-4-6" });
    await expect.poll(() => row.textContent()).toContain("127.0.0.1");
    await shot("13-usage");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const csv = await readFile((await download.path()) as string, "utf8");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^created_at,request_id,user_id,user,api_key_id,api_key_name,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",ann@example.com,");
    expect(lines[1]).toContain(",laptop,");
    expect(lines[1]).toContain(",127.0.0.1,");

    await page.getByRole("textbox", { name: "Model" }).fill("no-such-model");
    await expect.poll(() => page.locator("tbody").textContent()).toContain("No usage logs match.");
  });

  it("charts today's usage on the dashboard", async () => {
    await openPage("Dashboard", "Dashboard");
    const today = page.locator(".card", { hasText: "Today" });
    await expect.poll(() => today.locator("dd").first().textContent()).toBe("1");
    await page.getByRole("button", { name: "Requests" }).click();
    const byModel = page.getByRole("list", { name: "Requests by model" });
    await expect.poll(() => byModel.textContent()).toContain("claude-sonnet-4-6");
    await expect
      .poll(() => page.getByRole("list", { name: "Requests by account" }).textContent())
      .toContain("sim-anthropic");
    await shot("14-dashboard");
  });

  it("switches to Chinese, remembers it, and signs out forgetting the token", async () => {
    await openPage("API keys", "API keys");
    await page.getByRole("navigation").getByLabel("Language").selectOption("zh");
    await page.getByRole("heading", { level: 1, name: "API 密钥" }).waitFor();
    const headers = await page.locator("thead th").allTextContents();
    expect(headers).toEqual(expect.arrayContaining(["名称", "用户", "分组", "额度（美元）", "过期时间", "操作"]));
    expect(await page.getByRole("button", { name: "新建密钥" }).isVisible()).toBe(true);
    await shot("15-keys-zh");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "API 密钥" }).waitFor();
    await openPage("仪表盘", "仪表盘");
    await expect.poll(() => page.locator(".loading").count()).toBe(0);
    await shot("16-dashboard-zh");
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.locator("input[name=token]").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("tollgate.adminToken"))).toBeNull();
    await page.reload();
    expect(await page.getByRole("button", { name: "登录" }).isVisible()).toBe(true);
  });
});
