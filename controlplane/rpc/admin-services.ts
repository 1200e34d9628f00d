import { AccountService } from "../../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyService } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { AuditService } from "../../gen/tollgate/admin/v1/audit_pb.js";
import { GroupService } from "../../gen/tollgate/admin/v1/group_pb.js";
import { PricingService } from "../../gen/tollgate/admin/v1/pricing_pb.js";
import { UsageService } from "../../gen/tollgate/admin/v1/usage_pb.js";
import { UserService } from "../../gen/tollgate/admin/v1/user_pb.js";

/** Every service of the admin API (DESIGN §3), for clients that walk them (tests, `tollgate admin`). */
export const ADMIN_SERVICES = [
  UserService,
  ApiKeyService,
  GroupService,
  AccountService,
  PricingService,
  UsageService,
  AuditService,
] as const;
