ALTER TABLE "usage_account_daily" DROP CONSTRAINT "usage_account_daily_bucket_start_account_id_model_pk";--> statement-breakpoint
ALTER TABLE "usage_account_hourly" DROP CONSTRAINT "usage_account_hourly_bucket_start_account_id_model_pk";--> statement-breakpoint
ALTER TABLE "usage_key_daily" DROP CONSTRAINT "usage_key_daily_bucket_start_api_key_id_model_group_id_user_id_pk";--> statement-breakpoint
ALTER TABLE "usage_key_hourly" DROP CONSTRAINT "usage_key_hourly_bucket_start_api_key_id_model_group_id_user_id_pk";--> statement-breakpoint
ALTER TABLE "usage_model_daily" ALTER COLUMN "stripe" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "usage_model_hourly" ALTER COLUMN "stripe" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "usage_account_daily" ADD COLUMN "stripe" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_account_hourly" ADD COLUMN "stripe" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_key_daily" ADD COLUMN "stripe" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_key_hourly" ADD COLUMN "stripe" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_account_daily" ADD CONSTRAINT "usage_account_daily_bucket_start_account_id_model_stripe_pk" PRIMARY KEY("bucket_start","account_id","model","stripe");--> statement-breakpoint
ALTER TABLE "usage_account_hourly" ADD CONSTRAINT "usage_account_hourly_bucket_start_account_id_model_stripe_pk" PRIMARY KEY("bucket_start","account_id","model","stripe");--> statement-breakpoint
ALTER TABLE "usage_key_daily" ADD CONSTRAINT "usage_key_daily_bucket_start_api_key_id_model_group_id_user_id_stripe_pk" PRIMARY KEY("bucket_start","api_key_id","model","group_id","user_id","stripe");--> statement-breakpoint
ALTER TABLE "usage_key_hourly" ADD CONSTRAINT "usage_key_hourly_bucket_start_api_key_id_model_group_id_user_id_stripe_pk" PRIMARY KEY("bucket_start","api_key_id","model","group_id","user_id","stripe");
