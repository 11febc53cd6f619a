ALTER TABLE "comments" ADD COLUMN "import_origin" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "import_id" text;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "import_origin" text;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "import_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "comments_site_import_uq" ON "comments" USING btree ("site_id","import_origin","import_id");--> statement-breakpoint
CREATE UNIQUE INDEX "threads_site_import_uq" ON "threads" USING btree ("site_id","import_origin","import_id");