// Page objects for the end-to-end tests (test/e2e/): they drive the app through its data-testids.
export { SignInPage } from './SignInPage.ts';
export { OutlinePage, type LabProgress } from './OutlinePage.ts';
export { LabPage, ExerciseBox, type Outcome } from './LabPage.ts';
export { TerminalPane } from './TerminalPane.ts';
export { EditorPane } from './EditorPane.ts';
export { ClusterPane, type BrokerRow } from './ClusterPane.ts';
