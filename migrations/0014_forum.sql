CREATE TABLE "forum_categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"parent_id" uuid,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"start_topics" text DEFAULT 'members' NOT NULL,
	"locked" boolean DEFAULT false NOT NULL,
	"holds_articles" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "forum_reads" (
	"user_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "forum_reads_user_id_thread_id_pk" PRIMARY KEY("user_id","thread_id")
);
--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "category_id" uuid;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "author_id" uuid;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "author_name" text;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "pinned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "last_activity_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "title_search" "tsvector" GENERATED ALWAYS AS (to_tsvector('parley_search'::regconfig, coalesce(title, ''))) STORED;--> statement-breakpoint
ALTER TABLE "forum_categories" ADD CONSTRAINT "forum_categories_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "forum_categories" ADD CONSTRAINT "forum_categories_parent_id_forum_categories_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."forum_categories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "forum_reads" ADD CONSTRAINT "forum_reads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "forum_reads" ADD CONSTRAINT "forum_reads_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "forum_categories_site_slug_uq" ON "forum_categories" USING btree ("site_id","slug");--> statement-breakpoint
CREATE INDEX "forum_categories_site_idx" ON "forum_categories" USING btree ("site_id","position");--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_category_id_forum_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."forum_categories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "threads_forum_latest_idx" ON "threads" USING btree ("site_id","category_id","last_activity_at","id");--> statement-breakpoint
CREATE INDEX "threads_forum_kind_latest_idx" ON "threads" USING btree ("site_id","kind","last_activity_at","id");--> statement-breakpoint
CREATE INDEX "threads_forum_site_latest_idx" ON "threads" USING btree ("site_id","last_activity_at","id");--> statement-breakpoint
CREATE INDEX "threads_title_search_idx" ON "threads" USING gin ("title_search");