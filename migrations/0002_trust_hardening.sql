CREATE TABLE "comment_rankings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"thread_id" uuid NOT NULL,
	"ids" uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "site_id" uuid;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "significant_query_params" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
-- Hand-added data steps. The old log held every body ever written: drop it, and send readers
-- resuming from it to re-read their thread.
ALTER TABLE "threads" ADD COLUMN "events_pruned_through" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "threads" SET "events_pruned_through" = coalesce((SELECT max("id") FROM "thread_events" e WHERE e."thread_id" = "threads"."id"), 0);--> statement-breakpoint
DELETE FROM "thread_events";--> statement-breakpoint
ALTER TABLE "thread_events" ADD COLUMN "comment_id" uuid NOT NULL;--> statement-breakpoint
ALTER TABLE "comment_rankings" ADD CONSTRAINT "comment_rankings_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "comment_rankings_created_idx" ON "comment_rankings" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-added: every session so far is a guest's; bind it to the site its guest wrote on, and
-- end those that never wrote (a vote made them), which would otherwise serve every site.
UPDATE "sessions" SET "site_id" = (SELECT c."site_id" FROM "comments" c WHERE c."author_id" = "sessions"."user_id" ORDER BY c."created_at" LIMIT 1);--> statement-breakpoint
DELETE FROM "sessions" WHERE "site_id" IS NULL;--> statement-breakpoint
ALTER TABLE "thread_events" ADD CONSTRAINT "thread_events_comment_id_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."comments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "thread_events_created_idx" ON "thread_events" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "thread_events" DROP COLUMN "audience";--> statement-breakpoint
ALTER TABLE "thread_events" DROP COLUMN "payload";