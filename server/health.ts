import type Docker from 'dockerode';
import type { Config } from './config.ts';
import { engineInfo } from './docker/engine.ts';
import { messageOf } from './errors.ts';
import { imagesStatus } from './images/images.ts';

/** The health report of `/healthz` and `kafkalab doctor`. */
export interface HealthReport {
  readonly ok: boolean;
  readonly engine: { ok: boolean; version?: string; error?: string };
  readonly images: { ok: boolean; image: string; error?: string };
  readonly store: { ok: boolean; error?: string };
}

/** Produces a fresh health report. */
export type HealthProbe = () => Promise<HealthReport>;

/** Health of the engine, the images and the store. Never throws. */
export function healthProbe(docker: Docker, config: Config, store: { ping(): boolean }): HealthProbe {
  return async () => {
    let engine: HealthReport['engine'];
    let images: HealthReport['images'] = {
      ok: false,
      image: `${config.imageRepo}:latest`,
      error: 'engine unreachable',
    };
    try {
      const info = await engineInfo(docker);
      engine = { ok: true, version: info.version };
      const status = await imagesStatus(docker, config);
      images = status.present
        ? { ok: true, image: status.image }
        : { ok: false, image: status.image, error: 'missing: run `npm run images`' };
    } catch (err) {
      engine = { ok: false, error: messageOf(err) };
    }
    const storeOk = store.ping();
    const storeReport = storeOk ? { ok: true } : { ok: false, error: 'the SQLite store does not answer' };
    return { ok: engine.ok && images.ok && storeOk, engine, images, store: storeReport };
  };
}
