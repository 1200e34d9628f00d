import { create } from "@bufbuild/protobuf";
import {
  type ConfigUpdate,
  ConfigUpdateSchema,
  type Resource,
  ResourceSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigView } from "./config-view.js";

/** The whole view as one snapshot update: applied to an empty view, it rebuilds this one. */
export function snapshotOf(view: ConfigView): ConfigUpdate {
  const upserts: Resource[] = [];
  const add = (resource: Resource["resource"]) => upserts.push(create(ResourceSchema, { resource }));
  for (const value of view.users.values()) add({ case: "user", value });
  for (const value of view.groups.values()) add({ case: "group", value });
  for (const value of view.keysById.values()) add({ case: "apiKey", value });
  for (const value of view.accounts.values()) add({ case: "account", value });
  for (const value of view.prices.values()) add({ case: "modelPrice", value });
  return create(ConfigUpdateSchema, { version: view.version, snapshot: true, upserts });
}
