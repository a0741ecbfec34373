import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOptions, loadConfig } from '../../server/config.ts';
import { AppError } from '../../server/errors.ts';

const emptyDir = (): string => mkdtempSync(path.join(tmpdir(), 'kl-config-'));

describe('loadConfig', () => {
  it('uses the defaults and resolves the data directory against the working directory', () => {
    const cwd = emptyDir();
    const config = loadConfig({}, cwd);
    expect(config.port).toBe(3000);
    expect(config.prefix).toBe('kafkalab');
    expect(config.dataDir).toBe(path.join(cwd, 'data'));
  });

  it('lets a config file override defaults and the environment override the file', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'kafkalab.config.json'), JSON.stringify({ port: 4000, maxEnvironments: 3 }));
    const config = loadConfig({ PORT: '5000' }, cwd);
    expect(config.port).toBe(5000);
    expect(config.maxEnvironments).toBe(3);
  });

  it('reports every bad value at once, naming where it came from', () => {
    const cwd = emptyDir();
    writeFileSync(
      path.join(cwd, 'kafkalab.config.json'),
      JSON.stringify({ maxEnvironments: 0, colour: 'red' }),
    );
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', KAFKALAB_PREFIX: 'Bad Prefix' }, cwd);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    const details = (error as AppError).details ?? '';
    expect(details).toContain('environment variable PORT: "eighty" is invalid');
    expect(details).toContain('environment variable KAFKALAB_PREFIX');
    expect(details).toContain('"maxEnvironments" in kafkalab.config.json');
    expect(details).toContain('unknown option "colour"');
  });

  it('rejects a missing explicit config file and malformed JSON', () => {
    const cwd = emptyDir();
    expect(() => loadConfig({ KAFKALAB_CONFIG: 'nope.json' }, cwd)).toThrow(/does not exist/);
    writeFileSync(path.join(cwd, 'kafkalab.config.json'), '{ port: 1');
    expect(() => loadConfig({}, cwd)).toThrow(/not valid JSON/);
  });

  it('reads allowed origins as a comma-separated list, normalized, and rejects non-origins', () => {
    const cwd = emptyDir();
    expect(loadConfig({}, cwd).allowedOrigins).toEqual([]);
    const config = loadConfig(
      { KAFKALAB_ALLOWED_ORIGINS: ' https://Lab.Example.edu/ , http://10.0.0.5:3000,https://x.example:443' },
      cwd,
    );
    expect(config.allowedOrigins).toEqual([
      'https://lab.example.edu',
      'http://10.0.0.5:3000',
      'https://x.example',
    ]);
    writeFileSync(
      path.join(cwd, 'kafkalab.config.json'),
      JSON.stringify({ allowedOrigins: ['https://lab.example.edu'] }),
    );
    expect(loadConfig({}, cwd).allowedOrigins).toEqual(['https://lab.example.edu']);
    for (const bad of ['lab.example.edu', 'https://lab.example.edu/path', 'ftp://x.example', 'null'])
      expect(() => loadConfig({ KAFKALAB_ALLOWED_ORIGINS: bad }, cwd), bad).toThrow(AppError);
  });

  it('describes every option with an environment variable', () => {
    const options = describeOptions();
    expect(options.length).toBeGreaterThan(5);
    for (const o of options) {
      expect(o.env).toMatch(/^[A-Z_]+$/);
      expect(o.describe.length).toBeGreaterThan(10);
    }
  });
});
