// The password rule as the forms check it before asking the server (which checks it again).
import type { MessageKey } from '../i18n.ts';

/** What is wrong with a new password and its repetition, or null when the forms may submit it. */
export function passwordProblem(password: string, again: string, minLength: number): MessageKey | null {
  if (Array.from(password).length < minLength) return 'passwordTooShort';
  if (password !== again) return 'passwordMismatch';
  return null;
}

/** Whole seconds left until `until` (epoch ms), never below 0. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}
