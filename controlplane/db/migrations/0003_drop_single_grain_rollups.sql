DROP TABLE "usage_daily" CASCADE;--> statement-breakpoint
DROP TABLE "usage_hourly" CASCADE;