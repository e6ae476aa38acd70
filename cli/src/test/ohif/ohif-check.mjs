// SPDX-License-Identifier: Apache-2.0
//
// OhifIT's browser side. Serves OHIF's built viewer (the dist/ folder of the npm package @ohif/app) on a loopback
// port with an app-config.js that points its one DICOMweb data source at lightbox serve, then drives Debian's
// Chromium through it with playwright-core: the study list must show every patient (and only the second one when
// filtered by that patient's given name), and each study opened in the viewer must draw non-uniform pixels. Every request to /dicom-web is recorded; the summary (JSON, last line of
// standard output) lists them with their statuses, and the screenshots go to the output folder.
//
//   node ohif-check.mjs '<json>'   with { dist, port, dicomweb, out, chromium, ohifVersion, timeoutMs,
//                                  studies: [{ studyUid, patientName, modality, scroll }] }
// (scroll: mouse wheel steps to scroll through the study's stack once drawn, after which another slice must show).
// Exit status 0 when the pages behaved (the Java side judges the requests and the pixels too), 1 otherwise.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const args = JSON.parse(process.argv[2]);
const started = Date.now();
const log = (...m) => console.error(`[ohif-check +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...m);

// --- OHIF's configuration: one DICOMweb data source, Lightbox ----------------------------------------------------
// The block docs/conformance.md gives ("Running OHIF against Lightbox"), plus three lines marked "test" that keep
// banners and dialogs off the screenshots and the workers to the machine's two cores.
function appConfig(dicomweb) {
  return `window.config = {
  routerBasename: '/',
  showStudyList: true,
  extensions: [],
  modes: [],
  investigationalUseDialog: { option: 'never' }, // test
  showWarningMessageForCrossOrigin: false, // test
  maxNumberOfWebWorkers: 2, // test
  defaultDataSourceName: 'lightbox',
  dataSources: [{
    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
    sourceName: 'lightbox',
    configuration: {
      friendlyName: 'Lightbox',
      name: 'lightbox',
      qidoRoot: '${dicomweb}',
      wadoRoot: '${dicomweb}',
      wadoUriRoot: '${dicomweb}/wado',
      qidoSupportsIncludeField: true,
      imageRendering: 'wadors',
      thumbnailRendering: 'wadors',
      enableStudyLazyLoad: true,
      supportsFuzzyMatching: true,
      supportsWildcard: true,
      omitQuotationForMultipartRequest: true,
      bulkDataURI: { enabled: true },
    },
  }],
};
`;
}

// --- a static server for dist/, with index.html for the single-page routes ---------------------------------------
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf',
  '.txt': 'text/plain', '.xml': 'application/xml', '.onnx': 'application/octet-stream',
};

function serveDist(dist, config) {
  const root = path.resolve(dist);
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.resolve(root, '.' + decodeURIComponent(url.pathname));
    if (url.pathname === '/app-config.js') {
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
      res.end(config);
      return;
    }
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = path.join(root, 'index.html'); // the viewer's own routes (/viewer?StudyInstanceUIDs=...)
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
}

// --- the viewport: does it show an image? -------------------------------------------------------------------------
// Cornerstone3D draws each viewport into a 2D canvas (copied from its WebGL canvas, or drawn by its CPU renderer),
// which getImageData can read. Counts distinct grey levels/colours and the standard deviation of the luminance.
async function viewportPixels(page) {
  return page.evaluate(() => {
    const out = [];
    for (const c of document.querySelectorAll('canvas')) {
      if (c.width < 64 || c.height < 64 || !c.closest('[data-viewport-uid], .viewport-element, .cornerstone-viewport-element')) continue;
      let ctx;
      try { ctx = c.getContext('2d', { willReadFrequently: true }); } catch { ctx = null; }
      if (!ctx) { out.push({ w: c.width, h: c.height, readable: false }); continue; }
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      let n = 0, sum = 0, sum2 = 0, hash = 0x811c9dc5;
      for (let i = 0; i < d.length; i += 4 * 7) { // every 7th pixel is plenty
        const l = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        sum += l; sum2 += l * l; n++;
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        hash = Math.imul(hash ^ ((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]), 0x01000193) >>> 0;
      }
      const mean = sum / n;
      out.push({ w: c.width, h: c.height, readable: true, distinct: colours.size, mean,
        stddev: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), hash });
    }
    return out;
  });
}

const drawn = (v) => v.readable && v.distinct >= 16 && v.stddev >= 8;

// OHIF's first-visit tour covers part of the viewport: dismissed as a person would.
async function skipTour(page) {
  const skip = page.getByText('Skip all', { exact: true });
  if (await skip.isVisible().catch(() => false)) await skip.click().catch(() => {});
}

// Waits until a viewport shows an image; gives up early once a DICOMweb request of this study has failed and nothing
// is drawn 5 s later (OHIF would show nothing more).
async function waitForImage(page, timeoutMs, failures) {
  const deadline = Date.now() + timeoutMs;
  let last = [];
  let failedAt = null;
  while (Date.now() < deadline) {
    if (failedAt === null && failures() > 0) failedAt = Date.now();
    if (failedAt !== null && Date.now() - failedAt > 5000) break;
    await skipTour(page);
    last = await viewportPixels(page);
    if (last.some(drawn)) {
      // One more look a moment later: the first frame drawn may still be a progressive or partial one.
      await page.waitForTimeout(750);
      await skipTour(page);
      return { ok: true, canvases: await viewportPixels(page) };
    }
    await page.waitForTimeout(250);
  }
  return { ok: false, canvases: last };
}

const failedRequest = (r) => r.status === 0 || r.status >= 400;

// --- the run ------------------------------------------------------------------------------------------------------
const requests = [];
const pageErrors = [];
const consoleErrors = [];
const summary = { ohif: args.ohifVersion, chromium: null, studyList: null, studies: [], requests, pageErrors,
  consoleErrors, ok: false };
const server = serveDist(args.dist, appConfig(args.dicomweb));
await new Promise((resolve) => server.listen(args.port, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${args.port}`;
log('OHIF served at', origin, 'from', args.dist, '; DICOMweb at', args.dicomweb);

const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  // Playwright gives every launch a new, empty profile folder (its own --user-data-dir).
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
summary.chromium = browser.version();
let failed = false;
let page = null;
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, serviceWorkers: 'block' });
  page = await context.newPage();
  page.setDefaultTimeout(args.timeoutMs);
  const t0 = new Map();
  page.on('request', (r) => t0.set(r, Date.now()));
  page.on('requestfinished', async (r) => {
    if (!r.url().startsWith(args.dicomweb)) return;
    const resp = await r.response();
    requests.push({ method: r.method(), url: r.url().slice(args.dicomweb.length), status: resp ? resp.status() : 0,
      type: resp ? resp.headers()['content-type'] ?? '' : '', accept: r.headers()['accept'] ?? '',
      ms: Date.now() - (t0.get(r) ?? Date.now()) });
  });
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(args.dicomweb)) return;
    requests.push({ method: r.method(), url: r.url().slice(args.dicomweb.length), status: 0,
      failure: r.failure()?.errorText ?? 'failed', accept: r.headers()['accept'] ?? '' });
  });
  page.on('pageerror', (e) => pageErrors.push(String(e).slice(0, 500)));
  page.on('console', (m) => {
    if (m.type() === 'error' && consoleErrors.length < 20) consoleErrors.push(m.text().slice(0, 300));
  });

  // 1. The study list: every patient shown.
  const l0 = Date.now();
  await page.goto(origin + '/', { waitUntil: 'domcontentloaded' });
  for (const s of args.studies) {
    await page.getByText(s.patientName, { exact: false }).first().waitFor({ state: 'visible' });
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(args.out, 'ohif-study-list.png') });
  summary.studyList = { ms: Date.now() - l0, shown: [] };
  for (const s of args.studies) {
    if (await page.getByText(s.patientName, { exact: false }).count() > 0) summary.studyList.shown.push(s.patientName);
  }
  log('study list shows', summary.studyList.shown.join('; '));

  // The list's patient filter (QIDO-RS PatientName, OHIF adds wild cards and fuzzymatching): one patient left.
  if (args.studies.length > 1) {
    const only = args.studies[1];
    const others = args.studies.filter((s) => s !== only);
    const filter = page.locator('input').first();
    await filter.fill(only.patientName.split(', ')[1]);
    await page.getByText(others[0].patientName, { exact: false }).first().waitFor({ state: 'detached' });
    await page.getByText(only.patientName, { exact: false }).first().waitFor({ state: 'visible' });
    summary.studyList.filtered = [];
    for (const s of args.studies) {
      if (await page.getByText(s.patientName, { exact: false }).count() > 0) summary.studyList.filtered.push(s.patientName);
    }
    await page.screenshot({ path: path.join(args.out, 'ohif-study-list-filtered.png') });
    log('filtered by', only.patientName.split(', ')[1], 'shows', summary.studyList.filtered.join('; '));
    await filter.fill('');
    for (const s of args.studies) await page.getByText(s.patientName, { exact: false }).first().waitFor({ state: 'visible' });
  }

  // 2. Each study in the viewer: the first by clicking through the list as a person would, the rest by URL.
  for (const [i, s] of args.studies.entries()) {
    const v0 = Date.now();
    if (i === 0) {
      await page.getByText(s.patientName, { exact: false }).first().click();
      const mode = page.getByRole('button', { name: /basic viewer/i }).first();
      await mode.waitFor({ state: 'visible' });
      await mode.click();
    } else {
      await page.goto(`${origin}/viewer?StudyInstanceUIDs=${s.studyUid}`, { waitUntil: 'domcontentloaded' });
    }
    await page.waitForURL(/\/viewer/);
    const failuresBefore = requests.filter(failedRequest).length;
    const image = await waitForImage(page, args.timeoutMs,
      () => requests.filter(failedRequest).length - failuresBefore);
    const shot = path.join(args.out, `ohif-viewer-${s.modality.toLowerCase()}.png`);
    const viewport = page.locator('[data-viewport-uid], .viewport-element').first();
    await page.screenshot({ path: shot });
    let viewportShot = null;
    if (await viewport.count() > 0) {
      viewportShot = path.join(args.out, `ohif-viewport-${s.modality.toLowerCase()}.png`);
      await viewport.screenshot({ path: viewportShot });
    }
    const study = { studyUid: s.studyUid, modality: s.modality, drawn: image.ok, canvases: image.canvases,
      ms: Date.now() - v0, screenshot: shot, viewportScreenshot: viewportShot };
    summary.studies.push(study);
    log(`${s.modality} study ${image.ok ? 'drawn' : 'NOT drawn'} in ${Date.now() - v0} ms`, JSON.stringify(image.canvases));
    if (!image.ok) failed = true;
    if (image.ok && s.scroll) {
      // Scrolled through the stack with the mouse wheel, as a person would: other slices must be drawn too.
      const before = image.canvases.find(drawn).hash;
      const box = await viewport.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const deadline = Date.now() + args.timeoutMs;
      let after = null;
      for (let step = 0; step < s.scroll && Date.now() < deadline; step++) await page.mouse.wheel(0, 120);
      while (Date.now() < deadline) {
        await page.waitForTimeout(250);
        after = (await viewportPixels(page)).find(drawn);
        if (after && after.hash !== before) break;
      }
      await page.waitForTimeout(500);
      study.scrolled = Boolean(after && after.hash !== before);
      study.scrolledCanvas = after;
      study.scrolledScreenshot = path.join(args.out, `ohif-viewer-${s.modality.toLowerCase()}-scrolled.png`);
      await page.screenshot({ path: study.scrolledScreenshot });
      log(`${s.modality} stack scrolled ${s.scroll} steps: ${study.scrolled ? 'another slice drawn' : 'NOTHING changed'}`);
      if (!study.scrolled) failed = true;
    }
  }
  await page.waitForTimeout(1000); // let the last prefetches finish, so that their statuses are recorded
  await context.close();
} catch (e) {
  failed = true;
  summary.error = String(e?.stack ?? e).slice(0, 4000);
  log('failed:', summary.error);
  if (page) await page.screenshot({ path: path.join(args.out, 'ohif-failure.png') }).catch(() => {});
} finally {
  await browser.close();
  server.close();
}
summary.ok = !failed;
summary.ms = Date.now() - started;
console.log(JSON.stringify(summary));
process.exit(failed ? 1 : 0);
