DROP INDEX "usage_logs_user_idx";--> statement-breakpoint
DROP INDEX "usage_logs_key_idx";--> statement-breakpoint
DROP INDEX "usage_logs_account_idx";--> statement-breakpoint
DROP INDEX "usage_logs_group_idx";--> statement-breakpoint
DROP INDEX "usage_logs_model_idx";--> statement-breakpoint
CREATE INDEX "usage_logs_user_idx" ON "usage_logs" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_logs_key_idx" ON "usage_logs" USING btree ("api_key_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_logs_account_idx" ON "usage_logs" USING btree ("account_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_logs_group_idx" ON "usage_logs" USING btree ("group_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_logs_model_idx" ON "usage_logs" USING btree ("model","created_at" DESC NULLS LAST);