/**
 * The widget's English interface, and the shape every language file follows. Adding a language
 * is adding a file like this one beside it (fr.ts, ar.ts): the build makes one widget per file,
 * so a reader downloads the strings of their language only.
 */
import { errorMessages, type ErrorCode } from '../../../shared/errors.js';

/** Plural forms by CLDR category (Intl.PluralRules); `#` stands for the number, formatted. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const en = {
  lang: 'en',
  dir: 'ltr' as 'ltr' | 'rtl',
  text: {
    sortBy: 'Sort by',
    sortBest: 'Best',
    sortNewest: 'Newest',
    sortOldest: 'Oldest',
    locked: 'This thread is locked: no new comments.',
    closed: 'This thread is closed.',
    empty: 'No comments yet. Start the discussion.',
    emptyClosed: 'No comments.',
    loadMore: 'Load more comments',
    poweredBy: 'Comments by {link}',
    loading: 'Loading comments…',
    loadFailed: 'Comments could not be loaded.',
    tryAgain: 'Try again',
    backToThread: 'Back to the whole thread',
    commentBy: 'Comment by {name}',
    removedComment: 'Removed comment',
    deletedComment: 'Deleted comment',
    deleted: '[deleted]',
    removedByMod: 'Removed by a moderator',
    guest: 'Guest',
    pinned: 'Pinned',
    edited: '(edited)',
    editedAt: 'Edited {time}',
    awaiting: 'Awaiting moderation',
    repliesTo: 'Replies to {name}',
    reply: 'Reply',
    edit: 'Edit',
    editLeft: 'Edit ({left} left)',
    delete: 'Delete',
    confirmDelete: 'Delete this comment?',
    flag: 'Flag',
    flagged: 'Flagged',
    flagThanks: 'Thank you: the moderators will take a look.',
    collapse: 'Collapse',
    expand: 'Expand',
    showMore: 'Show more',
    showLess: 'Show less',
    inReplyTo: 'in reply to {name}',
    continueThread: 'Continue this thread',
    copyLink: 'Copy link',
    linkCopied: 'Link copied',
    share: 'Share',
    upvote: 'Upvote',
    downvote: 'Downvote',
    votes: '{up} up, {down} down',
    comment: 'Comment',
    writeReply: 'Write a reply…',
    joinDiscussion: 'Join the discussion…',
    name: 'Name',
    emailOptional: 'Email (optional)',
    postingAs: 'Posting as {name}',
    change: 'Change',
    postComment: 'Post comment',
    cancel: 'Cancel',
    save: 'Save',
    writeFirst: 'Write something first.',
    editEmpty: 'Write something first, or use Delete to remove the comment.',
    enterName: 'Please enter your name.',
    markdownHint: 'Markdown works:',
    ctrlEnter: 'Ctrl+Enter to post',
    retryIn: 'Too fast: you can post again in {time}. What you wrote is kept.',
    toUpvote: 'To upvote, give the name you would comment under.',
    toDownvote: 'To downvote, give the name you would comment under.',
    voteAsGuest: 'Vote as guest',
    yourName: 'Your name',
    flagWhy: 'Why should the moderators look at this comment?',
    reasonSpam: 'Spam',
    reasonAbuse: 'Abusive',
    reasonOffTopic: 'Off-topic',
    reasonMisinformation: 'Misinformation',
    reasonOther: 'Something else',
    flagNote: 'Note for the moderators (optional)',
    chooseReason: 'Please choose a reason.',
    flagNameHint: 'To flag, give the name you would comment under.',
    flagOrSignIn: 'To flag, give the name you would comment under, or {signIn}.',
    signInLower: 'sign in',
    sendFlag: 'Send flag',
    signedInAs: 'Signed in as {name}',
    commentingAs: 'Commenting as {name} (guest)',
    signIn: 'Sign in',
    signOut: 'Sign out',
    popupBlocked: 'Your browser blocked the sign-in window.',
    openInTab: 'Open sign-in in a new tab',
    justNow: 'just now',
    networkError: 'Could not reach the comment server. Check your connection and try again.',
  },
  plurals: {
    comments: { one: '# Comment', other: '# Comments' },
    newComments: { one: '# new comment', other: '# new comments' },
    hiddenReplies: { one: '# reply hidden', other: '# replies hidden' },
    readingNow: { other: '# reading now' },
  } satisfies Record<string, Plural>,
  errors: errorMessages as Record<ErrorCode, string>,
};

export type TextKey = keyof typeof en.text;
export type PluralKey = keyof typeof en.plurals;

export interface Language {
  lang: string;
  dir: 'ltr' | 'rtl';
  text: Record<TextKey, string>;
  plurals: Record<PluralKey, Plural>;
  errors: Record<ErrorCode, string>;
}

export default en satisfies Language;
