import type { RequestHandler } from 'express';
import { isAppError } from '../errors.ts';
import { authorizeScrape } from './access.ts';
import type { Metrics } from './Metrics.ts';

/**
 * `GET /metrics`: the exposition text for an allowed scraper; 401 (with a Bearer challenge) or
 * 403 through the app's error handler otherwise. Outside /api: no session, and a GET changes
 * nothing, so no origin check.
 */
export function metricsRoute(metrics: Metrics, token: string): RequestHandler {
  return async (req, res, next) => {
    try {
      const addresses = [req.socket.remoteAddress, req.ip];
      authorizeScrape({ token, authorization: req.headers.authorization, addresses });
    } catch (err) {
      if (isAppError(err) && err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return next(err);
    }
    const { contentType, body } = await metrics.scrape();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', contentType);
    res.send(body);
  };
}
