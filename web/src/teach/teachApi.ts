// The dashboard's HTTP client: one typed function per instructor/admin endpoint of apiTypes.ts.
import type {
  AuthoringPreview,
  AuthoringStatus,
  CapacityView,
  ClassDetail,
  ClassSummary,
  CreateClassRequest,
  CreatedClass,
  CreateUserRequest,
  EnvStatus,
  GradebookJson,
  Lang,
  OneTimeLink,
  RosterImportResult,
  StudentDetail,
  StudentEnvRequest,
  UpdateClassRequest,
  UserSummary,
  AuthoringRunResult,
} from '../../../server/http/apiTypes.ts';
import { apiRequest as request } from '../api.ts';

const enc = encodeURIComponent;

export type { AuthoringRunResult };

/** GET /api/classes: the caller's classes (all of them for an admin). */
export function listClasses(): Promise<ClassSummary[]> {
  return request<ClassSummary[]>('GET', '/api/classes');
}

/** POST /api/classes. */
export function createClass(req: CreateClassRequest): Promise<CreatedClass> {
  return request<CreatedClass>('POST', '/api/classes', { body: req });
}

/** GET /api/classes/:id. */
export function getClass(id: number): Promise<ClassDetail> {
  return request<ClassDetail>('GET', `/api/classes/${id}`);
}

/** PATCH /api/classes/:id. */
export function updateClass(id: number, req: UpdateClassRequest): Promise<ClassDetail> {
  return request<ClassDetail>('PATCH', `/api/classes/${id}`, { body: req });
}

/** POST /api/classes/:id/roster with the CSV as a text/csv body. */
export function importRoster(id: number, csv: string): Promise<RosterImportResult> {
  return request<RosterImportResult>('POST', `/api/classes/${id}/roster`, {
    text: csv,
    textType: 'text/csv',
  });
}

/** GET /api/classes/:id/gradebook. */
export function getGradebook(id: number): Promise<GradebookJson> {
  return request<GradebookJson>('GET', `/api/classes/${id}/gradebook`);
}

/** The gradebook as a CSV download (a plain link: the session cookie goes along). */
export function gradebookCsvUrl(id: number): string {
  return `/api/classes/${id}/gradebook.csv`;
}

/** GET /api/classes/:id/students/:studentId. */
export function getStudent(classId: number, studentId: number): Promise<StudentDetail> {
  return request<StudentDetail>('GET', `/api/classes/${classId}/students/${studentId}`);
}

/** POST /api/classes/:id/students/:studentId/env {action}: stops or resets a student's environment. */
export function studentEnv(classId: number, studentId: number, req: StudentEnvRequest): Promise<EnvStatus> {
  return request<EnvStatus>('POST', `/api/classes/${classId}/students/${studentId}/env`, { body: req });
}

/** GET /api/users (admins). */
/** GET /api/admin/capacity: how full the host is, and the line (admins). */
export function getCapacity(): Promise<CapacityView> {
  return request<CapacityView>('GET', '/api/admin/capacity');
}

export function listUsers(): Promise<UserSummary[]> {
  return request<UserSummary[]>('GET', '/api/users');
}

/** POST /api/users (admins): the new account's one-time link. */
export function createUser(req: CreateUserRequest): Promise<OneTimeLink> {
  return request<OneTimeLink>('POST', '/api/users', { body: req });
}

/** POST /api/users/:id/password-link (admins): a new one-time link (a forgotten password, a lost link). */
export function newPasswordLink(userId: number): Promise<OneTimeLink> {
  return request<OneTimeLink>('POST', `/api/users/${userId}/password-link`, { body: {} });
}

/** GET /api/authoring/labs. */
export function getAuthoringStatus(): Promise<AuthoringStatus> {
  return request<AuthoringStatus>('GET', '/api/authoring/labs');
}

/** GET /api/authoring/labs/:id?lang=. */
export function getAuthoringPreview(labId: string, lang: Lang): Promise<AuthoringPreview> {
  return request<AuthoringPreview>('GET', `/api/authoring/labs/${enc(labId)}?lang=${lang}`);
}

/** POST /api/authoring/labs/:labId/exercises/:exerciseId/run: the check against the caller's environment. */
export function runAuthoringCheck(labId: string, exerciseId: string): Promise<AuthoringRunResult> {
  return request<AuthoringRunResult>(
    'POST',
    `/api/authoring/labs/${enc(labId)}/exercises/${enc(exerciseId)}/run`,
    { body: {} },
  );
}
