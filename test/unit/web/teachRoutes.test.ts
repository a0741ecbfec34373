import { describe, expect, it } from 'vitest';
import { isTeachRoute, parseRoute, paths } from '../../../web/src/router.ts';

describe('parseRoute: the classroom routes', () => {
  it('reads the one-time links with their token (missing token: empty)', () => {
    expect(parseRoute('/setup', '?token=abc%2Bdef')).toEqual({ name: 'setup', token: 'abc+def' });
    expect(parseRoute('/set-password/', '?x=1&token=t0k')).toEqual({ name: 'setPassword', token: 't0k' });
    expect(parseRoute('/setup')).toEqual({ name: 'setup', token: '' });
  });

  it('maps the dashboard pages, with numeric ids only', () => {
    expect(parseRoute('/teach')).toEqual({ name: 'teach' });
    expect(parseRoute('/teach/')).toEqual({ name: 'teach' });
    expect(parseRoute('/teach/classes/12')).toEqual({ name: 'teachClass', classId: 12 });
    expect(parseRoute('/teach/classes/12/students/7')).toEqual({
      name: 'teachStudent',
      classId: 12,
      studentId: 7,
    });
    expect(parseRoute('/teach/users')).toEqual({ name: 'teachUsers' });
    expect(parseRoute('/teach/labs')).toEqual({ name: 'teachLabs' });
    expect(parseRoute('/teach/labs/core-concepts')).toEqual({ name: 'teachLab', labId: 'core-concepts' });
    for (const path of ['/teach/classes/x', '/teach/classes/1/students', '/teach/classes/-1', '/teach/nope'])
      expect(parseRoute(path), path).toEqual({ name: 'notFound', path });
    expect(parseRoute('/teach/labs/%E0%A4%A')).toEqual({ name: 'notFound', path: '/teach/labs/%E0%A4%A' });
  });

  it('round-trips the paths the app links to', () => {
    expect(parseRoute(paths.teachClass(3))).toEqual({ name: 'teachClass', classId: 3 });
    expect(parseRoute(paths.teachStudent(3, 44))).toEqual({
      name: 'teachStudent',
      classId: 3,
      studentId: 44,
    });
    expect(parseRoute(paths.teachLab('主题 a/b'))).toEqual({ name: 'teachLab', labId: '主题 a/b' });
  });

  it('tells dashboard routes from the student ones', () => {
    expect(isTeachRoute(parseRoute('/teach/users'))).toBe(true);
    expect(isTeachRoute(parseRoute('/labs/install'))).toBe(false);
    expect(isTeachRoute(parseRoute('/'))).toBe(false);
    expect(isTeachRoute(parseRoute('/teaching'))).toBe(false);
  });
});
