CREATE TABLE "usage_daily" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"user_id" text NOT NULL,
	"api_key_id" text NOT NULL,
	"account_id" text NOT NULL,
	"group_id" text NOT NULL,
	"model" text NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_daily_bucket_start_api_key_id_account_id_model_group_id_user_id_pk" PRIMARY KEY("bucket_start","api_key_id","account_id","model","group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "usage_hourly" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"user_id" text NOT NULL,
	"api_key_id" text NOT NULL,
	"account_id" text NOT NULL,
	"group_id" text NOT NULL,
	"model" text NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_hourly_bucket_start_api_key_id_account_id_model_group_id_user_id_pk" PRIMARY KEY("bucket_start","api_key_id","account_id","model","group_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "usage_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "usage_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "usage_daily_key_idx" ON "usage_daily" USING btree ("api_key_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_daily_user_idx" ON "usage_daily" USING btree ("user_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_daily_account_idx" ON "usage_daily" USING btree ("account_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_hourly_key_idx" ON "usage_hourly" USING btree ("api_key_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_hourly_user_idx" ON "usage_hourly" USING btree ("user_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_hourly_account_idx" ON "usage_hourly" USING btree ("account_id","bucket_start");--> statement-breakpoint
CREATE INDEX "api_keys_usage_pending_idx" ON "api_keys" USING btree ("id") WHERE "api_keys"."usage_pending";--> statement-breakpoint
CREATE INDEX "users_usage_pending_idx" ON "users" USING btree ("id") WHERE "users"."usage_pending";--> statement-breakpoint
INSERT INTO "usage_hourly" ("bucket_start", "user_id", "api_key_id", "account_id", "group_id", "model", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('hour', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "user_id", "api_key_id", "account_id", "group_id", "model", count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2, 3, 4, 5, 6;--> statement-breakpoint
INSERT INTO "usage_daily" ("bucket_start", "user_id", "api_key_id", "account_id", "group_id", "model", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('day', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "user_id", "api_key_id", "account_id", "group_id", "model", count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2, 3, 4, 5, 6;
