CREATE TABLE "usage_account_daily" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"account_id" text NOT NULL,
	"model" text NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_account_daily_bucket_start_account_id_model_pk" PRIMARY KEY("bucket_start","account_id","model")
);
--> statement-breakpoint
CREATE TABLE "usage_account_hourly" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"account_id" text NOT NULL,
	"model" text NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_account_hourly_bucket_start_account_id_model_pk" PRIMARY KEY("bucket_start","account_id","model")
);
--> statement-breakpoint
CREATE TABLE "usage_key_daily" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"api_key_id" text NOT NULL,
	"model" text NOT NULL,
	"group_id" text NOT NULL,
	"user_id" text NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_key_daily_bucket_start_api_key_id_model_group_id_user_id_pk" PRIMARY KEY("bucket_start","api_key_id","model","group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "usage_key_hourly" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"api_key_id" text NOT NULL,
	"model" text NOT NULL,
	"group_id" text NOT NULL,
	"user_id" text NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_key_hourly_bucket_start_api_key_id_model_group_id_user_id_pk" PRIMARY KEY("bucket_start","api_key_id","model","group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "usage_model_daily" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"model" text NOT NULL,
	"stripe" smallint NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_model_daily_bucket_start_model_stripe_pk" PRIMARY KEY("bucket_start","model","stripe")
);
--> statement-breakpoint
CREATE TABLE "usage_model_hourly" (
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"model" text NOT NULL,
	"stripe" smallint NOT NULL,
	"requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_creation_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cost" numeric(38, 18) NOT NULL,
	"actual_cost" numeric(38, 18) NOT NULL,
	"duration_ms" bigint NOT NULL,
	CONSTRAINT "usage_model_hourly_bucket_start_model_stripe_pk" PRIMARY KEY("bucket_start","model","stripe")
);
--> statement-breakpoint
CREATE INDEX "usage_account_daily_account_idx" ON "usage_account_daily" USING btree ("account_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_account_hourly_account_idx" ON "usage_account_hourly" USING btree ("account_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_key_daily_key_idx" ON "usage_key_daily" USING btree ("api_key_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_key_daily_user_idx" ON "usage_key_daily" USING btree ("user_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_key_hourly_key_idx" ON "usage_key_hourly" USING btree ("api_key_id","bucket_start");--> statement-breakpoint
CREATE INDEX "usage_key_hourly_user_idx" ON "usage_key_hourly" USING btree ("user_id","bucket_start");--> statement-breakpoint
ALTER TABLE "usage_key_hourly" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "usage_key_daily" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "usage_account_hourly" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "usage_account_daily" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "usage_model_hourly" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "usage_model_daily" SET (fillfactor = 80);
--> statement-breakpoint
INSERT INTO "usage_key_hourly" ("bucket_start", "api_key_id", "model", "group_id", "user_id", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('hour', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "api_key_id", "model", "group_id", "user_id", count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "usage_key_daily" ("bucket_start", "api_key_id", "model", "group_id", "user_id", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('day', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "api_key_id", "model", "group_id", "user_id", count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "usage_account_hourly" ("bucket_start", "account_id", "model", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('hour', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "account_id", "model", count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "usage_account_daily" ("bucket_start", "account_id", "model", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('day', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "account_id", "model", count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "usage_model_hourly" ("bucket_start", "model", "stripe", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('hour', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "model", 0, count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO "usage_model_daily" ("bucket_start", "model", "stripe", "requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cost", "actual_cost", "duration_ms")
SELECT date_trunc('day', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "model", 0, count(*), sum("input_tokens"), sum("output_tokens"), sum("cache_creation_tokens"), sum("cache_read_tokens"), sum("cost"), sum("actual_cost"), sum("duration_ms")
FROM "usage_logs" GROUP BY 1, 2;
