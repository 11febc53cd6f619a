CREATE INDEX "comments_author_thread_idx" ON "comments" USING btree ("author_id","thread_id");--> statement-breakpoint
CREATE INDEX "votes_user_idx" ON "votes" USING btree ("user_id");