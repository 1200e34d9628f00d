import { describe, expect, it } from "vitest";
import { isLocalHostname, isPublicAddress } from "./public-address.js";

describe("isPublicAddress", () => {
  it.each([
    ["8.8.8.8", true],
    ["1.1.1.1", true],
    ["2606:4700::1111", true],
    ["[2606:4700::1111]", true],
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["10.0.0.1", false],
    ["172.16.5.4", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["255.255.255.255", false],
    ["224.0.0.1", false],
    ["::1", false],
    ["[::1]", false],
    ["::", false],
    ["fd00:ec2::254", false],
    ["fc00::1", false],
    ["fe80::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:8.8.8.8", true],
    ["64:ff9b::a00:1", false],
    ["2002:a00:1::", false],
    ["not an address", false],
    ["", false],
  ])("%s -> %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe("isLocalHostname", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST.", true],
    ["api.localhost", true],
    ["printer.local", true],
    ["db.internal", true],
    ["api.anthropic.com", false],
    ["localhost.example.com", false],
  ])("%s -> %s", (name, expected) => {
    expect(isLocalHostname(name)).toBe(expected);
  });
});
