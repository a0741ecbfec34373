import { rmSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { loadConfig } from '../../server/config.ts';
import { fallbackBase } from '../../server/images/base.ts';
import { buildImages } from '../../server/images/images.ts';
import { silentProgress } from '../../server/progress.ts';
import { median, round } from '../stats.ts';
import type { Section } from '../types.ts';

/** A separate image repository and data directory, so cold builds never touch the real images. */
const BENCH_REPO = 'kafkalab-bench/node';

async function removeBenchImages(docker: Docker): Promise<void> {
  for (const ref of [BENCH_REPO, fallbackBase(BENCH_REPO).split(':')[0] ?? '']) {
    const images = await docker.listImages({ filters: JSON.stringify({ reference: [ref] }) });
    for (const image of images)
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
}

/** Image build time cold (no images, no caches at all) and warm (unchanged inputs), and size. */
export const imagesSection: Section = {
  name: 'images',
  describe: 'npm run images: cold build (mmdebstrap, Maven, docker build), warm re-run, image size',
  async run(ctx) {
    const dataDir = path.join(ctx.config.dataDir, 'bench-images');
    const config = loadConfig({
      ...process.env,
      KAFKALAB_IMAGE_REPO: BENCH_REPO,
      KAFKALAB_DATA_DIR: dataDir,
    });
    const { docker } = ctx.runtime;
    const cold: number[] = [];
    const warm: number[] = [];
    let size = 0;
    for (let i = 0; i < ctx.runs; i++) {
      await removeBenchImages(docker);
      rmSync(dataDir, { recursive: true, force: true });
      const t = Date.now();
      const report = await buildImages({ docker, config, progress: silentProgress });
      cold.push((Date.now() - t) / 1000);
      size = report.sizeBytes;
      ctx.log(`cold build ${i + 1}: ${cold.at(-1)?.toFixed(1)} s (base ${report.base.source})`);
    }
    for (let i = 0; i < Math.max(5, ctx.runs); i++) {
      const t = Date.now();
      await buildImages({ docker, config, progress: silentProgress });
      warm.push((Date.now() - t) / 1000);
    }
    ctx.log(`warm: ${warm.map((w) => w.toFixed(2)).join(', ')} s`);
    await removeBenchImages(docker);
    rmSync(dataDir, { recursive: true, force: true });
    return [
      {
        name: 'build cold',
        value: round(median(cold)),
        unit: 's',
        runs: cold,
        note: 'no images, no Maven/rootfs caches',
      },
      { name: 'build warm', value: round(median(warm), 2), unit: 's', runs: warm, note: 'inputs unchanged' },
      { name: 'cold / warm', value: round(median(cold) / median(warm)), unit: 'x' },
      { name: 'server image size', value: Math.round(size / 2 ** 20), unit: 'MiB' },
    ];
  },
};
