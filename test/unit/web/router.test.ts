import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../../web/src/router.ts';

describe('parseRoute', () => {
  it('maps the outline and lab paths, decoding the lab id', () => {
    expect(parseRoute('/')).toEqual({ name: 'outline' });
    expect(parseRoute('/labs/install')).toEqual({ name: 'lab', labId: 'install' });
    expect(parseRoute('/labs/%E4%B8%BB%E9%A2%98/')).toEqual({ name: 'lab', labId: '主题' });
    expect(parseRoute('/labs/a/b')).toEqual({ name: 'notFound', path: '/labs/a/b' });
  });

  it('answers "not found" for a path with a broken percent-escape instead of throwing', () => {
    for (const path of ['/labs/%E0%A4%A', '/labs/%', '/labs/%zz', '/labs/%C0%80'])
      expect(parseRoute(path), path).toEqual({ name: 'notFound', path });
  });
});
