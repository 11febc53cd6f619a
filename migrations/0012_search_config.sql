-- One parse of a comment, two stemmers: English for words in Latin letters (the parser's asciiword),
-- Arabic for words in other letters. Before, the text was parsed twice (english || arabic), and the
-- Arabic stemmer's copies of every English word made the vectors and their index three times larger.
CREATE TEXT SEARCH CONFIGURATION "parley_search" (COPY = pg_catalog.english);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION "parley_search" ALTER MAPPING FOR word, hword, hword_part WITH arabic_stem;
