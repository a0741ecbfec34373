// The instructor's dashboard, loaded as its own chunk on the first visit of a /teach page.
import { h, type JSX } from 'preact';
import type { TeachRoute } from '../router.ts';
import { AuthoringLabsPage, LabPreviewPage } from './AuthoringPages.ts';
import { ClassesPage } from './ClassesPage.ts';
import { ClassPage } from './ClassPage.ts';
import { StudentPage } from './StudentPage.ts';
import type { TeachBar } from './TeachLayout.ts';
import { UsersPage } from './UsersPage.ts';

/** Props of TeachApp. */
export interface TeachAppProps {
  route: TeachRoute;
  bar: TeachBar;
}

/** Picks the dashboard page for a /teach route. */
export function TeachApp(props: TeachAppProps): JSX.Element {
  const { route, bar } = props;
  switch (route.name) {
    case 'teach':
      return h(ClassesPage, { bar });
    case 'teachClass':
      return h(ClassPage, { key: route.classId, classId: route.classId, bar });
    case 'teachStudent':
      return h(StudentPage, {
        key: `${route.classId}/${route.studentId}`,
        classId: route.classId,
        studentId: route.studentId,
        bar,
      });
    case 'teachUsers':
      return h(UsersPage, { bar });
    case 'teachLabs':
      return h(AuthoringLabsPage, { bar });
    case 'teachLab':
      return h(LabPreviewPage, { key: route.labId, labId: route.labId, bar });
  }
}
