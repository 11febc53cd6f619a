/**
 * Parley's mails: plain text, one purpose each, the link on a line of its own. Names are the
 * reader's own and go into plain text only, never HTML.
 */
import type { MailMessage } from './mailer.js';

const footer = '\n\nIf you did not ask for this, ignore this mail: nothing changes.\n';

export function verifyMail(input: { to: string; name: string; link: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Confirm your email address',
    text: `Hello ${input.name},\n\nConfirm your address to finish signing up:\n\n${input.link}\n\nThe link works once, for three days.${footer}`,
  };
}

export function accountExistsMail(input: { to: string; resetLink: string }): MailMessage {
  return {
    to: input.to,
    subject: 'You already have an account',
    text: `Someone (perhaps you) tried to sign up with this address, which has an account already.\n\nSign in as usual, or choose a new password here:\n\n${input.resetLink}\n\nThe link works once, for an hour.${footer}`,
  };
}

export function noAccountMail(input: { to: string; signUpLink: string }): MailMessage {
  return {
    to: input.to,
    subject: 'No account uses this address',
    text: `Someone (perhaps you) asked to sign in with this address, but no account uses it.\n\nTo create one:\n\n${input.signUpLink}${footer}`,
  };
}

export function resetMail(input: { to: string; link: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Choose a new password',
    text: `Choose a new password for your account:\n\n${input.link}\n\nThe link works once, for an hour. Every device signed in to the account will be signed out.${footer}`,
  };
}

export function signInLinkMail(input: { to: string; link: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Your sign-in link',
    text: `Sign in without a password:\n\n${input.link}\n\nThe link works once, for 15 minutes.${footer}`,
  };
}

export function emailChangeMail(input: { to: string; link: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Confirm your new email address',
    text: `Confirm that your Parley account should use this address from now on:\n\n${input.link}\n\nThe link works once, for a day.${footer}`,
  };
}

export function emailChangeNoticeMail(input: { to: string; newAddress: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Your account\'s email address is being changed',
    text: `Someone signed in to your account asked to move it to ${input.newAddress}. It moves once that address confirms.\n\nIf this was not you, choose a new password at once: that signs every device out.\n`,
  };
}
