// A tiny history router: the student's `/` and `/labs/:id`, the one-time link pages, and `/teach/*`.
import { h, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A parsed client route. */
export type Route =
  | { name: 'outline' }
  | { name: 'lab'; labId: string }
  /** The one-time setup link: creates the first admin. */
  | { name: 'setup'; token: string }
  /** A one-time set-password link (roster import, new instructor, reset). */
  | { name: 'setPassword'; token: string }
  /** The instructor's dashboard: their classes. */
  | { name: 'teach' }
  | { name: 'teachClass'; classId: number }
  | { name: 'teachStudent'; classId: number; studentId: number }
  | { name: 'teachUsers' }
  | { name: 'teachLabs' }
  | { name: 'teachLab'; labId: string }
  | { name: 'notFound'; path: string };

/** The routes that belong to the instructor's dashboard (students get a 403 page there). */
export type TeachRoute = Extract<
  Route,
  { name: 'teach' | 'teachClass' | 'teachStudent' | 'teachUsers' | 'teachLabs' | 'teachLab' }
>;

const NAVIGATE = 'kafkalab:navigate';

/** Whether a route is one of the dashboard's. */
export function isTeachRoute(route: Route): route is TeachRoute {
  return route.name.startsWith('teach');
}

/**
 * Parses a location path (and query, for the one-time links' token) into a route; never throws,
 * whatever the address bar holds.
 */
export function parseRoute(path: string, search = ''): Route {
  const notFound: Route = { name: 'notFound', path };
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  if (trimmed === '/' || trimmed === '') return { name: 'outline' };
  if (trimmed === '/setup' || trimmed === '/set-password') {
    const token = new URLSearchParams(search).get('token') ?? '';
    return trimmed === '/setup' ? { name: 'setup', token } : { name: 'setPassword', token };
  }
  if (trimmed === '/teach') return { name: 'teach' };
  if (trimmed === '/teach/users') return { name: 'teachUsers' };
  if (trimmed === '/teach/labs') return { name: 'teachLabs' };
  const lab = /^\/(labs|teach\/labs)\/([^/]+)$/.exec(trimmed);
  if (lab?.[2] !== undefined) {
    // A typed or pasted address may hold a broken escape (`/labs/%E0%A4%A`): that is a page
    // that does not exist, not a reason to leave the app blank.
    const labId = decodeSegment(lab[2]);
    if (labId === undefined) return notFound;
    return lab[1] === 'labs' ? { name: 'lab', labId } : { name: 'teachLab', labId };
  }
  const student = /^\/teach\/classes\/(\d{1,9})\/students\/(\d{1,9})$/.exec(trimmed);
  if (student?.[1] !== undefined && student[2] !== undefined)
    return { name: 'teachStudent', classId: Number(student[1]), studentId: Number(student[2]) };
  const cls = /^\/teach\/classes\/(\d{1,9})$/.exec(trimmed);
  if (cls?.[1] !== undefined) return { name: 'teachClass', classId: Number(cls[1]) };
  return notFound;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The path of a dashboard page (the inverse of parseRoute for the routes the app links to). */
export const paths = {
  teach: (): string => '/teach',
  teachClass: (classId: number): string => `/teach/classes/${classId}`,
  teachStudent: (classId: number, studentId: number): string =>
    `/teach/classes/${classId}/students/${studentId}`,
  teachUsers: (): string => '/teach/users',
  teachLabs: (): string => '/teach/labs',
  teachLab: (labId: string): string => `/teach/labs/${encodeURIComponent(labId)}`,
};

/** Pushes a new history entry and tells the app to re-route. */
export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The current route, updated on navigate() and on the browser's back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.pathname, location.search));
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
  /** Marks the link to the page shown now (aria-current="page"). */
  current?: boolean;
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
      'aria-current': props.current === true ? 'page' : undefined,
      onClick: (e: MouseEvent) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      },
    },
    props.children,
  );
}
