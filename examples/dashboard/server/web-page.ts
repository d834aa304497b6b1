import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import sirv from 'sirv';

/**
 * The page may load only its own scripts and styles, talk only to its own origin, and not be
 * framed. React and the charts set styles through the DOM, which this allows.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Vite's content-hashed files: a new build gives them new names, so they never change. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

function plain(res: ServerResponse, status: number, text: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end(head ? undefined : text);
}

/**
 * Serves the built web page from `root` (GET and HEAD) with `sirv`: `/` is `index.html`;
 * the `.br` and `.gz` files the build writes beside each asset are sent to browsers that
 * accept them (`Vary: Accept-Encoding`); every answer has a weak ETag and revalidates to 304.
 * Vite's hashed `/assets/*` are cached for a year, everything else is revalidated
 * (`no-cache`). Answers 404 for what is not there, and 503 with what to run when the page has
 * not been built.
 */
export function createStaticHandler(root: string) {
  const dir = resolve(root);
  const index = join(dir, 'index.html');
  // sirv lists the folder once; list it again if the page was built after the server started
  let built = existsSync(index);
  const create = () =>
    sirv(dir, { etag: true, brotli: true, gzip: true, extensions: [], dotfiles: false });
  let serve = create();

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    if (method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      plain(res, 405, `Use GET for ${pathname}.`, false);
      return;
    }
    if (!built && existsSync(index)) {
      built = true;
      serve = create();
    }
    const page = pathname === '/' || pathname === '/index.html';
    if (page && !built) {
      plain(
        res,
        503,
        'The dashboard page has not been built. Run `pnpm demo` from the repository root (or `pnpm --filter @taskpulse/dashboard build`), then reload.',
        head,
      );
      return;
    }
    // set before sirv answers, so that a 304 carries them too
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('cache-control', pathname.startsWith('/assets/') ? IMMUTABLE_CACHE : 'no-cache');
    res.setHeader('vary', 'Accept-Encoding');
    await new Promise<void>((done) => {
      res.once('close', done);
      res.once('finish', done);
      if (page && req.url !== '/index.html') req.url = '/index.html';
      serve(req, res, () => {
        for (const name of [...Object.keys(SECURITY_HEADERS), 'cache-control', 'vary']) {
          res.removeHeader(name);
        }
        plain(res, 404, `Not found: ${pathname}`, head);
      });
    });
  };
}
