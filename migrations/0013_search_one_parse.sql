ALTER TABLE "comments" drop column "search";--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('parley_search'::regconfig, body_source)) STORED;--> statement-breakpoint
-- Dropping the column dropped its index: made again, as the schema declares it.
CREATE INDEX "comments_search_idx" ON "comments" USING gin ("search");
