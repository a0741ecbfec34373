// A tiny history router: the app has two client routes, `/` and `/labs/:id`.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A parsed client route. */
export type Route = { name: 'outline' } | { name: 'lab'; labId: string } | { name: 'notFound'; path: string };

const NAVIGATE = 'kafkalab:navigate';

/** Parses a location path into a route; never throws, whatever the address bar holds. */
export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { name: 'outline' };
  const lab = /^\/labs\/([^/]+)\/?$/.exec(path);
  if (lab?.[1] !== undefined) {
    // A typed or pasted address may hold a broken escape (`/labs/%E0%A4%A`): that is a page
    // that does not exist, not a reason to leave the app blank.
    const labId = decodeSegment(lab[1]);
    return labId === undefined ? { name: 'notFound', path } : { name: 'lab', labId };
  }
  return { name: 'notFound', path };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Pushes a new history entry and tells the app to re-route. */
export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The current route, updated on navigate() and on the browser's back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return route;
}

/** Props of Link. */
export interface LinkProps {
  href: string;
  class?: string;
  testId?: string;
  label?: string;
  children?: ComponentChildren;
}

/** An anchor that navigates inside the app (a modified click still opens a new tab as usual). */
export function Link(props: LinkProps): JSX.Element {
  return h(
    'a',
    {
      href: props.href,
      class: props.class,
      'data-testid': props.testId,
      'aria-label': props.label,
      onClick: (e: MouseEvent) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      },
    },
    props.children,
  );
}
