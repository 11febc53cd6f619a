import { renderToString } from 'preact-render-to-string';
import { demoArticle, type DemoArticle } from './article.js';

export const DEMO_SITE = 'demo';
export const DEMO_THREAD_KEY = 'aqim-funding-sources';

const styles = `
  :root { color-scheme: light; --ink: #1d232b; --muted: #5b6470; --accent: #8c1c13; --rule: #e3e6ea; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 17px/1.65 Georgia, 'Times New Roman', serif; color: var(--ink); background: #fafaf8; }
  header { background: #14181d; color: #fff; }
  .bar { max-width: 1100px; margin: 0 auto; padding: 14px 20px; display: flex; gap: 28px; align-items: center; flex-wrap: wrap; }
  .brand { font: 700 22px/1 system-ui, sans-serif; letter-spacing: .02em; color: #fff; text-decoration: none; }
  .brand span { color: #e0483b; }
  nav ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 20px; flex-wrap: wrap; }
  nav a { color: #d7dbe0; text-decoration: none; font: 500 15px system-ui, sans-serif; }
  nav a:hover, nav a:focus { color: #fff; text-decoration: underline; }
  .layout { max-width: 1100px; margin: 0 auto; padding: 32px 20px 64px; display: grid; grid-template-columns: minmax(0, 1fr) 240px; gap: 48px; }
  @media (max-width: 860px) { .layout { grid-template-columns: 1fr; } aside { display: none; } }
  article h1 { font-size: 34px; line-height: 1.2; margin: 0 0 10px; }
  .meta { color: var(--muted); font: 14px system-ui, sans-serif; margin-bottom: 28px; display: flex; gap: 16px; }
  .meta a { color: var(--accent); }
  article h2 { font-size: 22px; margin: 34px 0 8px; }
  .byline { font-style: italic; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 16px; margin-top: 32px; }
  #comments { margin-top: 48px; border-top: 3px solid var(--ink); padding-top: 12px; }
  #comments > h2 { font: 700 15px system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; margin: 0 0 12px; }
  aside h3 { font: 700 13px system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0 0 8px; }
  aside ul { list-style: none; padding: 0; margin: 0 0 28px; font: 14px/1.9 system-ui, sans-serif; max-height: 340px; overflow: auto; }
  aside a { color: var(--ink); text-decoration: none; }
  footer { text-align: center; color: var(--muted); font: 13px system-ui, sans-serif; padding: 24px; border-top: 1px solid var(--rule); }
`;

function DemoPage({ article }: { article: DemoArticle }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${article.title} | ${article.siteName}`}</title>
        <style dangerouslySetInnerHTML={{ __html: styles }} />
        {/* Feed readers find the comments' Atom feed here, as on any page that embeds Parley. */}
        <link rel="alternate" type="application/atom+xml" title="Comments on this site" href={`/feeds/sites/${DEMO_SITE}/atom.xml`} />
      </head>
      <body>
        <header>
          <div class="bar">
            <a class="brand" href="/">361<span>Security</span></a>
            <nav aria-label="Main">
              <ul>{article.nav.map((item) => <li key={item}><a href={item === 'Forums (Beta)' ? `/forum/${DEMO_SITE}` : '#'}>{item}</a></li>)}</ul>
            </nav>
          </div>
        </header>
        <div class="layout">
          <main>
            <article>
              <h1>{article.title}</h1>
              <div class="meta">
                <time dateTime="2012-11-28">{article.date}</time>
                <a href="#comments" data-parley-count={DEMO_THREAD_KEY}>Comments</a>
              </div>
              {article.blocks.map((block, i) =>
                block.kind === 'heading' ? <h2 key={i}>{block.text}</h2>
                  : block.kind === 'byline' ? <p key={i} class="byline">{block.text}</p>
                    : <p key={i}>{block.text}</p>)}
            </article>
            <section id="comments" aria-label="Comments">
              <h2>Comments</h2>
              <div id="parley-thread" data-site={DEMO_SITE} data-key={DEMO_THREAD_KEY} data-title={article.title}>
                {/* Readers without JavaScript read and post on Parley's plain page of the thread. */}
                <noscript>
                  <a href={`/discuss/${DEMO_SITE}?key=${DEMO_THREAD_KEY}`}>Read and post comments without JavaScript</a>
                </noscript>
              </div>
            </section>
          </main>
          <aside>
            <h3>Archives</h3>
            <ul>{article.archives.map((a) => <li key={a}><a href="#">{a}</a></li>)}</ul>
            <h3>Categories</h3>
            <ul>{article.categories.map((c, i) => <li key={i}><a href="#">{c}</a></li>)}</ul>
          </aside>
        </div>
        <footer>© 2011 - 2018 {article.siteName}. Comments by Parley.</footer>
        <script async src="/embed.js" />
        <script async src="/count.js" data-site={DEMO_SITE} />
      </body>
    </html>
  );
}

let html: string | undefined;
/** The demo article with the Parley widget where "Comments powered by Disqus" stood. */
export function renderDemoPage(): string {
  html ??= `<!doctype html>${renderToString(<DemoPage article={demoArticle()} />)}`;
  return html;
}
