ALTER TABLE "config_head" ADD COLUMN "config_version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Which earlier versions were only usage stamps is not recorded: all of them count as config changes.
UPDATE "config_head" SET "config_version" = "version";
