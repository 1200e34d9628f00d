import {
  type DescField,
  type DescMethod,
  type DescMethodUnary,
  type DescService,
  fromJson,
  type JsonValue,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ADMIN_SERVICES } from "../controlplane/rpc/admin-services.js";

// `tollgate admin <service> <method> [json]`: any admin API method from a terminal or a script, driven
// by the generated service descriptors (DESIGN §3), so a method added to the protos is callable here
// with no code. The request is proto3 JSON (argument, or stdin); the response is printed as proto3 JSON
// (int64 as strings, enums by name). An error is one line on stderr with its Connect code, exit 1.

const DEFAULT_URL = "http://127.0.0.1:8081";
const TIMEOUT_MS = 60_000;

class UsageError extends Error {}

// The admin API is all unary calls.
const methodsOf = (service: DescService) =>
  service.methods.filter((m: DescMethod): m is DescMethodUnary => m.methodKind === "unary");

function usage(): string {
  const services = ADMIN_SERVICES.map(
    (s) =>
      `  ${s.name}\n${methodsOf(s)
        .map((m) => `    ${m.name}`)
        .join("\n")}`,
  );
  return `usage: tollgate admin <service> <method> [json]

Calls one admin API method. The request is the method's message as proto3 JSON (lowerCamelCase or
proto field names), given as the argument, or read from stdin when the argument is "-" or absent; the
response is printed as JSON (int64 values as strings, enums by name, fields at their defaults left
out). Names are matched without regard to case; "User" stands for "UserService".
\`tollgate admin <service> <method> --help\` lists the request's fields.

environment:
  TOLLGATE_ADMIN_URL    the control plane's admin API (default ${DEFAULT_URL})
  TOLLGATE_ADMIN_TOKEN  the admin token (required)

exit status: 0 done; 1 the call failed (one line on stderr: "<connect code>: <message>"); 2 bad usage

example:
  tollgate admin UserService CreateUser '{"email":"ada@example.com","balanceUsd":"10"}'

services and methods:
${services.join("\n")}
`;
}

function findService(name: string): DescService {
  const wanted = name.toLowerCase();
  const service = ADMIN_SERVICES.find((s) =>
    [s.typeName, s.name, s.name.replace(/Service$/, "")].some((n) => n.toLowerCase() === wanted),
  );
  if (!service) throw new UsageError(`unknown service "${name}" (tollgate admin --help lists them)`);
  return service;
}

function findMethod(service: DescService, name: string): DescMethodUnary {
  const wanted = name.toLowerCase();
  const method = methodsOf(service).find((m) => m.name.toLowerCase() === wanted);
  if (!method) {
    throw new UsageError(
      `unknown method "${name}" of ${service.name}: ${methodsOf(service)
        .map((m) => m.name)
        .join(", ")}`,
    );
  }
  return method;
}

const scalarName = (scalar: ScalarType) => ScalarType[scalar].toLowerCase();

function fieldType(field: DescField): string {
  switch (field.fieldKind) {
    case "message":
      return field.message.typeName;
    case "enum":
      return field.enum.typeName;
    case "scalar":
      return scalarName(field.scalar);
    case "list":
      return `list of ${field.listKind === "message" ? field.message.typeName : field.listKind === "enum" ? field.enum.typeName : scalarName(field.scalar)}`;
    case "map":
      return "map";
  }
}

function methodHelp(service: DescService, method: DescMethod): string {
  const fields = method.input.fields.map((f) => `  ${f.jsonName.padEnd(24)} ${fieldType(f)}`);
  return `usage: tollgate admin ${service.name} ${method.name} [json]

request ${method.input.typeName}:
${fields.join("\n") || "  (no fields)"}
response: ${method.output.typeName}
`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function requestText(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== "-") return arg;
  if (arg === undefined && process.stdin.isTTY) return "{}";
  return readStdin();
}

/** The request as a message of the method's input type; a bad one is invalid_argument, as the server would say. */
function parseRequest(method: DescMethod, text: string) {
  let json: JsonValue;
  try {
    json = text.trim() === "" ? {} : (JSON.parse(text) as JsonValue);
  } catch (error) {
    throw new ConnectError(`the request is not JSON: ${(error as Error).message}`, Code.InvalidArgument);
  }
  try {
    return fromJson(method.input, json);
  } catch (error) {
    throw new ConnectError((error as Error).message, Code.InvalidArgument);
  }
}

function transport(url: string, token: string): Transport {
  return createConnectTransport({
    baseUrl: url,
    httpVersion: "1.1",
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
}

async function call(args: string[]): Promise<void> {
  const [serviceName, methodName, body, ...extra] = args;
  if (serviceName === undefined || methodName === undefined)
    throw new UsageError("a service and a method are required");
  const service = findService(serviceName);
  const method = findMethod(service, methodName);
  if (body === "--help" || body === "-h") {
    process.stdout.write(methodHelp(service, method));
    return;
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (the request is one JSON argument)`);
  const token = process.env.TOLLGATE_ADMIN_TOKEN?.trim();
  if (!token) throw new UsageError("TOLLGATE_ADMIN_TOKEN is not set");
  const url = process.env.TOLLGATE_ADMIN_URL?.trim() || DEFAULT_URL;
  const request = parseRequest(method, await requestText(body));
  const response = await transport(url, token).unary(method, undefined, TIMEOUT_MS, undefined, request);
  process.stdout.write(`${JSON.stringify(toJson(method.output, response.message), null, 2)}\n`);
}

export async function runAdminCommand(args: string[]): Promise<void> {
  if (args.length === 0 || args[0] === "--help" || args[0] === "-h" || args[0] === "help") {
    (args.length === 0 ? process.stderr : process.stdout).write(usage());
    if (args.length === 0) process.exitCode = 2;
    return;
  }
  try {
    await call(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tollgate admin: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const failure = ConnectError.from(error);
    const message = failure.rawMessage.replace(/\s+/g, " ").trim();
    process.stderr.write(`tollgate admin: ${codeToString(failure.code)}: ${message}\n`);
    process.exitCode = 1;
  }
}
