import { describe, expect, it } from "vitest";
import { checkBaseUrl } from "./base-url.js";

describe("checkBaseUrl", () => {
  it.each([
    ["https://api.anthropic.com", false, undefined],
    ["https://relay.example.com/v1/", false, undefined],
    ["http://api.example.com", false, "must use https"],
    ["ftp://example.com", false, "must be an http(s) URL"],
    ["not a url", false, "is not a URL"],
    ["https://user:pw@example.com", false, "must not contain credentials"],
    ["https://example.com/?x=1", false, "must not have a query or fragment"],
    ["https://127.0.0.1:8443", false, "host 127.0.0.1 is not public"],
    ["https://10.1.2.3", false, "is not public"],
    ["https://192.168.0.10", false, "is not public"],
    ["https://169.254.169.254", false, "is not public"],
    ["https://[::1]", false, "is not public"],
    ["https://[fd00::1]", false, "is not public"],
    ["https://[::ffff:127.0.0.1]", false, "is not public"],
    ["https://localhost", false, "is not public"],
    ["https://db.internal", false, "is not public"],
    ["https://100.64.1.2", false, "is not public"],
    ["https://[fd00:ec2::254]", false, "is not public"],
    ["http://8.8.8.8", false, "must use https"],
    ["https://8.8.8.8", false, undefined],
    ["http://127.0.0.1:9000", true, undefined],
    ["http://localhost:9000/sim", true, undefined],
    ["file:///etc/passwd", true, "must be an http(s) URL"],
  ])("%s (private allowed: %s)", (url, allowPrivate, expected) => {
    const error = checkBaseUrl(url, allowPrivate);
    if (expected === undefined) expect(error).toBeUndefined();
    else expect(error).toContain(expected);
  });
});
