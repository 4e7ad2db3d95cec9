// Browser tests of the dashboard against the real wijkboekd: Debian's Chromium, driven by
// playwright-core, on a fresh data directory with the Sterk voor Noord demo imported through the
// CLI. Run by ctest (e2e.dashboard); see README.md in this directory.
//
// Environment (set by tests/e2e/CMakeLists.txt):
//   WIJKBOEKD, WIJKBOEK_CLI     the server and the CLI binaries
//   WIJKBOEK_WEB_ROOT           the built dashboard (build/web)
//   WIJKBOEK_DEMO               deploy/demo/sterk-voor-noord.json
//   E2E_NODE_MODULES            where `npm ci` put playwright-core (default: ./node_modules)
//   E2E_SCREENSHOTS             where the screenshots go (default: build/e2e-screenshots)
//   CHROMIUM                    the browser (default /usr/bin/chromium)
// Exit status 77 (ctest: skipped) when Chromium or the built dashboard is missing.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const WIJKBOEKD = env.WIJKBOEKD ?? resolve(here, '../../build/bin/wijkboekd');
const CLI = env.WIJKBOEK_CLI ?? resolve(here, '../../build/bin/wijkboek');
const WEB_ROOT = env.WIJKBOEK_WEB_ROOT ?? resolve(here, '../../build/web');
const DEMO = env.WIJKBOEK_DEMO ?? resolve(here, '../../deploy/demo/sterk-voor-noord.json');
const SHOTS = env.E2E_SCREENSHOTS ?? resolve(here, '../../build/e2e-screenshots');
const CHROMIUM = env.CHROMIUM ?? '/usr/bin/chromium';
const MODULES = env.E2E_NODE_MODULES ?? join(here, 'node_modules');

const PILLARS = ['Jeugd en onderwijs', 'Jongeren', 'Financiële zelfredzaamheid', 'Fijn en veilig wonen'];
// The taalmaatjes of the library's Taalhuis (the demo's "fz-bereik-taalleerders").
const LIVE_ACTION = 'fz-bereik-taalleerders';

function skip(reason) {
  console.log(`SKIPPED: ${reason}`);
  process.exit(77);
}
if (!existsSync(CHROMIUM)) skip(`no browser at ${CHROMIUM} (apt-get install chromium; deploy/test does this)`);
if (!existsSync(join(WEB_ROOT, 'index.html'))) skip(`no built dashboard in ${WEB_ROOT} (the CMake target 'web' needs node and npm)`);
for (const [what, file] of [['wijkboekd', WIJKBOEKD], ['wijkboek', CLI], ['demo data', DEMO]]) {
  if (!existsSync(file)) throw new Error(`${what} not found at ${file}`);
}

const require = createRequire(join(MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// ---- The server -------------------------------------------------------------------------------

let workDir;
let dataDir;
let server;
let serverLog = '';
let grpcAddr;
let base; // http://127.0.0.1:PORT
let dashboardToken;
let context; // the browser (a persistent context on a fresh profile)
let page;
const problems = []; // page errors, CSP violations, failed requests of the app itself
let loggedIn = false; // the later tests need the session the first one makes

function run(file, args, input) {
  return new Promise((resolveRun, reject) => {
    const child = execFile(file, args, { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolveRun({ stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

async function waitForFile(file, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return text;
    }
    if (server.exitCode !== null) throw new Error(`wijkboekd exited with ${server.exitCode}:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} did not appear within ${ms} ms. Server output:\n${serverLog}`);
}

function cliArgs() {
  return ['--server', grpcAddr, '--token-file', join(dataDir, 'admin.token')];
}

async function shot(name, options = {}) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, ...options });
}

/** Waits until the app has rendered the page (main is no longer busy). */
async function settled() {
  await page.waitForSelector('main#inhoud:not([aria-busy])', { timeout: 10_000 });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'wijkboek-e2e-'));
  dataDir = join(workDir, 'data');
  server = spawn(
    WIJKBOEKD,
    ['--data-dir', dataDir, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--web-root', WEB_ROOT],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  grpcAddr = await waitForFile(join(dataDir, 'grpc.addr'), 20_000);
  base = `http://${await waitForFile(join(dataDir, 'http.addr'), 20_000)}`;
  const imported = await run(CLI, [...cliArgs(), 'import', DEMO]);
  console.log(`# ${imported.stdout.trim().split('\n').join('\n# ')}`);
  // The browser logs in as a read-only dashboard principal, the way deploy/run sets one up.
  await run(CLI, [...cliArgs(), 'admin', 'principal', 'add', 'scherm', '--role', 'dashboard']);
  const issued = await run(CLI, [...cliArgs(), 'admin', 'token', 'issue', 'scherm']);
  dashboardToken = JSON.parse(issued.stdout).token;

  context = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('response', (res) => {
    const url = new URL(res.url());
    // 401s before logging in are expected; anything else >= 400 from our own origin is a bug.
    if (url.origin === base && res.status() >= 400 && res.status() !== 401) problems.push(`HTTP ${res.status()} ${url.pathname}${url.search}`);
  });
});

after(async () => {
  await context?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        r();
      }, 10_000);
      server.on('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  console.log(`# screenshots: ${SHOTS}`);
});

// ---- The tests (in order: they share one logged-in browser) ---------------------------------

test('a page without a session goes to /login; a wrong code is refused; the right one logs in', async () => {
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/login`);
  await shot('login');
  const field = page.getByLabel('Toegangscode');
  await field.fill('wbk_dit-is-geen-echte-code');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForLoadState();
  assert.equal(new URL(page.url()).pathname, '/login');
  const refusal = await page.locator('body').innerText();
  assert.doesNotMatch(
    refusal,
    /alleen via dit formulier/,
    'the gateway refused its own login form as cross-site (a browser sends "Origin: null" on a form POST from a page served with Referrer-Policy: no-referrer)',
  );
  assert.match(refusal, /niet bekend|onbekend|ongeldig/i);

  await page.getByLabel('Toegangscode').fill(dashboardToken);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(`${base}/`);
  await settled();
  loggedIn = true;
});

test('the overview shows the programme and its four real pillars', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  await page.getByRole('heading', { level: 1, name: 'Sterk voor Noord' }).waitFor();
  for (const name of PILLARS) {
    await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
  }
  const body = await page.locator('main').innerText();
  assert.match(body, /Samen zorgen we ervoor/); // the ambition
  assert.match(body, /Acties per status/);
  assert.match(body, /KPI-voortgang t\.o\.v\. streefcijfers/);
  assert.match(await page.locator('#stand').innerText(), /^stand: positie \d+$/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
  // The status chart was drawn (Chart.js sizes its canvas).
  const canvasWidth = await page.locator('.grafiek canvas').first().evaluate((c) => c.width);
  assert.ok(canvasWidth > 100, `status chart not drawn (canvas width ${canvasWidth})`);
  await shot('overzicht');
});

test('the partner directory leads to a partner page with its actions and collaborators', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Partners' }).click();
  await page.waitForURL(`${base}/partners`);
  await settled();
  await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
  const rows = await page.locator('table.partnertabel tbody tr').count();
  assert.ok(rows >= 30, `expected the demo's partners, saw ${rows} rows`);
  await shot('partners');

  await page.getByRole('link', { name: 'Vidomes', exact: true }).click();
  await page.waitForURL(`${base}/partners/vidomes`);
  await settled();
  await page.getByRole('heading', { level: 1, name: 'Vidomes' }).waitFor();
  await page.getByRole('heading', { name: /Penvoerder van/ }).waitFor();
  await page.getByRole('heading', { name: 'Werkt samen met' }).waitFor();
  await page.locator('.netwerk-blok[data-klaar="true"]').waitFor({ timeout: 15_000 });
  await shot('partner-vidomes');
});

test('the other pages render real content', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  const nav = page.getByRole('navigation', { name: 'Hoofdmenu' });

  await nav.getByRole('link', { name: 'Acties' }).click();
  await settled();
  assert.match(await page.locator('.aantal-resultaten').innerText(), /\d+ acties/);
  await shot('acties');
  await page.getByLabel('Pijler').selectOption({ label: 'Jongeren' });
  await page.getByRole('button', { name: 'Filteren' }).click();
  await page.waitForURL(/pijler=jongeren/);
  await settled();
  const cards = page.locator('.actiekaart');
  assert.ok((await cards.count()) > 0, 'no actions for Jongeren');
  await cards.first().locator('.actiekaart-titel a').click();
  await settled();
  await page.getByRole('heading', { level: 2, name: 'Tijdlijn' }).waitFor();
  await shot('actie');

  await nav.getByRole('link', { name: 'Samenwerking' }).click();
  await settled();
  await page.locator('.netwerk-blok[data-klaar="true"]').waitFor({ timeout: 15_000 });
  await shot('samenwerking');

  await nav.getByRole('link', { name: 'Eigenaarschap' }).click();
  await settled();
  await page.getByRole('heading', { level: 1, name: 'Acties zonder eigenaar of voortgang' }).waitFor();
  await shot('eigenaarschap');

  await nav.getByRole('link', { name: 'Agenda' }).click();
  await settled();
  await page.getByRole('heading', { level: 1, name: 'Agenda' }).waitFor();
  await shot('agenda');

  await nav.getByRole('link', { name: 'Projectenboek' }).click();
  await settled();
  const book = page.frameLocator('iframe.boek');
  await book.getByText('Jeugd en onderwijs').first().waitFor();
  await shot('projectenboek', { fullPage: false }); // the whole book is very long
});

test('a result appended over gRPC appears in the live feed within a second, without reload', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Live' }).click();
  await page.waitForURL(`${base}/live`);
  await settled();
  await page.getByText(/^Verbonden/).waitFor();
  await page.evaluate(() => {
    window.__e2eNoReload = true;
  });

  // The action to record on: the demo's taalmaatjes, or else any action.
  let actionId = LIVE_ACTION;
  const check = await page.request.get(`${base}/api/v1/actions/${LIVE_ACTION}`);
  if (check.status() !== 200) {
    const list = await (await page.request.get(`${base}/api/v1/actions?page_size=1`)).json();
    actionId = list.actions[0].action_id;
  }

  const marker = `e2e-${randomUUID().slice(0, 8)}`;
  const line = JSON.stringify({
    event_id: randomUUID(),
    payload: {
      result_recorded: {
        action_id: actionId,
        summary: `12 nieuwe taalkoppels gemaakt (${marker})`,
        value: 12,
        unit: 'koppels',
        occurred_on: new Date().toISOString().slice(0, 10),
      },
    },
    metadata: { source: 'e2e-test' },
  });
  const appended = await run(CLI, [...cliArgs(), 'append', '--stream', `action-${actionId}`, '--expected', 'any'], `${line}\n`);
  const acknowledged = Date.now();
  const position = JSON.parse(appended.stdout.trim()).last_position;

  const item = page.locator('ol.livefeed > li').filter({ hasText: marker });
  await item.waitFor({ timeout: 1000 });
  const delay = Date.now() - acknowledged;
  console.log(`# live feed: result at position ${position} shown ${delay} ms after the append was acknowledged`);

  const text = await item.innerText();
  assert.match(text, /Resultaat vastgelegd bij actie/);
  assert.match(text, /12 koppels/);
  assert.match(text, new RegExp(`positie ${position}`));
  const first = await page.locator('ol.livefeed > li').first().innerText();
  assert.ok(first.includes(marker), 'the new result is not the newest (first) line');
  assert.equal(await page.evaluate(() => window.__e2eNoReload), true, 'the page was reloaded');
  assert.match(await page.locator('#stand').innerText(), new RegExp(`positie ${position}$`));
  await shot('live');
});

test('axe-core finds no WCAG 2.1 A/AA violations on the main pages', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  const found = [];
  for (const path of ['/', '/acties', '/partners', '/partners/vidomes', '/samenwerking', '/eigenaarschap', '/agenda', '/projectenboek', '/live']) {
    await page.goto(`${base}${path}`);
    await settled();
    await page.waitForTimeout(300);
    await page.evaluate(`${axeSource};0`); // through the DevTools protocol, so the page's CSP allows it
    const result = await page.evaluate(() =>
      window.axe.run(
        { exclude: [['iframe.boek']] }, // the project book is the server's document
        { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
      ),
    );
    for (const v of result.violations) {
      found.push(`${path}: ${v.id} (${v.impact}) — ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  assert.deepEqual(found, []);
});

test('keyboard: skip link, menu by Tab and Enter, focus moves to the new page and is visible', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  await page.goto(`${base}/`);
  await settled();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Naar de inhoud');

  let found = false;
  for (let i = 0; i < 20 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => {
      const el = document.activeElement;
      return el instanceof HTMLAnchorElement && el.getAttribute('href') === '/eigenaarschap';
    });
  }
  assert.ok(found, 'Tab never reached the menu item Eigenaarschap');
  const outline = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return { outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.ok(outline.outline !== 'none' && outline.width >= 2, `focus is not visible: ${JSON.stringify(outline)}`);
  await shot('toetsenbord-focus', { fullPage: false });

  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/eigenaarschap`);
  await settled();
  const focused = await page.evaluate(() => ({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent }));
  assert.equal(focused.tag, 'H1');
  assert.equal(focused.text, 'Acties zonder eigenaar of voortgang');
  assert.equal(await page.getByRole('link', { name: 'Eigenaarschap' }).getAttribute('aria-current'), 'page');

  // Every form control on a page with filters has a label.
  await page.goto(`${base}/acties`);
  await settled();
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('main select, main input, main textarea'))
      .filter((el) => !(el.labels && el.labels.length > 0) && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML),
  );
  assert.deepEqual(unlabelled, []);
});

test('phone: 375 px wide, no sideways scrolling, the menu opens from a button', async (t) => {
  if (!loggedIn) return t.skip('not logged in');
  await page.setViewportSize({ width: 375, height: 812 });
  for (const path of ['/', '/acties', '/partners/vidomes', '/live']) {
    await page.goto(`${base}${path}`);
    await settled();
    await page.waitForTimeout(300); // charts and graphs lay out
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${path}: the page is ${width} px wide on a 375 px screen`);
    const name = path === '/' ? 'overzicht' : path.slice(1).replace(/\//g, '-');
    await shot(`telefoon-${name}`, { fullPage: false });
  }
  await page.goto(`${base}/`);
  await settled();
  const menuButton = page.getByRole('button', { name: 'Menu' });
  await menuButton.waitFor();
  assert.equal(await page.getByRole('link', { name: 'Acties', exact: true }).isVisible(), false);
  await menuButton.click();
  assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
  await shot('telefoon-menu', { fullPage: false });
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Acties' }).click();
  await page.waitForURL(`${base}/acties`);
  await settled();
  assert.equal(await menuButton.getAttribute('aria-expanded'), 'false');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('no script errors, CSP violations or failed requests along the way', () => {
  assert.deepEqual(problems, []);
  writeFileSync(join(SHOTS, 'README.txt'), `Screenshots of the dashboard, written by tests/e2e (${new Date().toISOString()}).\n`);
});
