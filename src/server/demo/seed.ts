import { postComment } from '../comments/service.js';
import type { Deps } from '../deps.js';
import { createSite, findSiteBySlug } from '../sites/service.js';
import { resolveThread } from '../threads/service.js';
import { demoArticle } from './article.js';
import { seedDemoForum } from '../forum/demo.js';
import { DEMO_SITE, DEMO_THREAD_KEY } from './page.js';

const samples = [
  {
    name: 'Mariam K.',
    body: 'The point about **kidnapping for ransom** deserves more attention: every ransom paid quietly funds the next abduction, and undermines the governments that refuse to pay.',
    reply: {
      name: 'Jeff H.',
      body: 'Agreed, though the cocaine transit money probably dwarfs ransoms by now. The UNODC reports on [West African transit routes](https://www.unodc.org/) are worth a read.',
    },
  },
  {
    name: 'يوسف',
    body: 'تحليل ممتاز. التعاون الإقليمي بين دول المغرب العربي هو الحل الوحيد على المدى الطويل، لكن الخلاف بين الجزائر والمغرب يجعل إحياء اتحاد المغرب العربي صعباً جداً.',
  },
  {
    name: 'analyst_42',
    body: 'Would be good to see an update: how did the 2013 intervention in Mali change AQIM\'s finances?',
  },
];

/**
 * On first start: the demo site, its article's thread and a few sample comments. `localOrigins`
 * (the demo page as opened on this machine) go to the demo site only, and only when creating it:
 * no other site ever gets them, so they never widen a real site's allowlist.
 */
export async function seedDemo(deps: Deps, publicUrl: string, localOrigins: string[]): Promise<boolean> {
  const existing = await findSiteBySlug(deps, DEMO_SITE);
  // A demo made before the forum gets its categories on the next start.
  if (existing) { await seedDemoForum(deps, existing.id); return false; }
  const site = await createSite(deps, { slug: DEMO_SITE, name: 'Parley demo (361Security)', origins: [publicUrl, ...localOrigins] });
  await seedDemoForum(deps, site.id);
  // The demo's own page asks: its origin is the one a browser on it would send.
  const caller = { actor: null, origin: new URL(publicUrl).origin };
  const { thread } = await resolveThread(deps, caller, {
    site: DEMO_SITE, key: DEMO_THREAD_KEY, url: `${publicUrl}/`, title: demoArticle().title,
  });
  for (const sample of samples) {
    const { comment } = await postComment(deps, caller, { threadId: thread.id, body: sample.body, author: { name: sample.name } });
    if (sample.reply) {
      await postComment(deps, caller, {
        threadId: thread.id, parentId: comment.id, body: sample.reply.body, author: { name: sample.reply.name },
      });
    }
  }
  return true;
}
