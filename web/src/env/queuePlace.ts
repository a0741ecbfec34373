import type { EnvStatus } from '../../../server/http/apiTypes.ts';
import type { Translate } from '../i18n.ts';

/** A place in line as the server reports it (`EnvStatus.queue`). */
export type QueuePlace = NonNullable<EnvStatus['queue']>;

/** 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st. */
export function ordinal(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/**
 * The wait in words, rounded to whole minutes: an estimate shown to the second would promise a
 * precision it does not have.
 */
export function queueEta(t: Translate, etaSeconds: number): string {
  const minutes = Math.round(etaSeconds / 60);
  if (minutes < 1) return t('envQueueEtaSoon');
  if (minutes === 1) return t('envQueueEtaMinute');
  return t('envQueueEtaMinutes', { n: minutes });
}

/** "You are 3rd in line, about 1 minute." (zh: 你排在第 3 位，大约 1 分钟。) */
export function queueText(t: Translate, place: QueuePlace): string {
  return t('envQueuePlace', {
    n: place.position,
    nth: ordinal(place.position),
    eta: queueEta(t, place.etaSeconds),
  });
}

/** The short form for the header badge: "In line: 3rd". */
export function queueBadge(t: Translate, place: QueuePlace | undefined): string {
  if (place === undefined) return t('envQueuedShort');
  return t('envQueueBadge', { n: place.position, nth: ordinal(place.position) });
}
