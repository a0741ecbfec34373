// Page objects for the end-to-end tests (test/e2e/): they drive the app through its data-testids.
export { SignInPage } from './SignInPage.ts';
export { OutlinePage, type LabProgress } from './OutlinePage.ts';
export { LabPage, ExerciseBox, type Outcome } from './LabPage.ts';
export { TerminalPane } from './TerminalPane.ts';
export { EditorPane } from './EditorPane.ts';
export { ClusterPane, type BrokerRow } from './ClusterPane.ts';
export { SetupPage } from './SetupPage.ts';
export { TeachPage, type CreatedClassInfo, type CreateClassOptions } from './TeachPage.ts';
export { ClassPage, type CellInfo, type RosterImportShown } from './ClassPage.ts';
export { StudentWatchPage, type AttemptShown, type ExerciseShown } from './StudentWatchPage.ts';
export { AuthoringPage, type ProblemShown } from './AuthoringPage.ts';
