// The dashboard's shell: client-side routing over the history API, the menu, the "stand" in the
// footer. Each page is a module that renders into <main> and says what its title is.
import './styles.css';
import { replace } from './dom';
import { loadNames } from './names';
import type { Page, PageContext } from './ui';
import { errorBox } from './ui';
import { overzicht } from './pages/overzicht';
import { partnersPage, partnerPage } from './pages/partners';
import { actiesPage, actiePage } from './pages/acties';
import { eigenaarschapPage } from './pages/eigenaarschap';
import { agendaPage } from './pages/agenda';
import { samenwerkingPage } from './pages/samenwerking';
import { projectenboekPage } from './pages/projectenboek';
import { livePage } from './pages/live';

interface Route {
  pattern: RegExp;
  page: Page;
  menu: string; // which menu item is current
}

const ROUTES: Route[] = [
  { pattern: /^\/(?:overzicht\/?)?$/, page: overzicht, menu: '/' },
  { pattern: /^\/acties\/?$/, page: actiesPage, menu: '/acties' },
  { pattern: /^\/acties\/([^/]+)\/?$/, page: actiePage, menu: '/acties' },
  { pattern: /^\/partners\/?$/, page: partnersPage, menu: '/partners' },
  { pattern: /^\/partners\/([^/]+)\/?$/, page: partnerPage, menu: '/partners' },
  { pattern: /^\/samenwerking\/?$/, page: samenwerkingPage, menu: '/samenwerking' },
  { pattern: /^\/eigenaarschap\/?$/, page: eigenaarschapPage, menu: '/eigenaarschap' },
  { pattern: /^\/agenda\/?$/, page: agendaPage, menu: '/agenda' },
  { pattern: /^\/projectenboek\/?$/, page: projectenboekPage, menu: '/projectenboek' },
  { pattern: /^\/live\/?$/, page: livePage, menu: '/live' },
];

// Paths the server answers itself: never routed inside the app.
const SERVER_PATHS = /^\/(?:api\/|login|logout|healthz|assets\/)/;

const main = document.getElementById('inhoud') as HTMLElement;
const standEl = document.getElementById('stand') as HTMLElement;
const announcer = document.getElementById('aankondiging') as HTMLElement;
const menuButton = document.getElementById('menuknop') as HTMLButtonElement;
const menu = document.getElementById('hoofdmenu') as HTMLElement;

let leaving: (() => void)[] = [];
let controller: AbortController | null = null;
let renderCount = 0;

function setStand(position: string | undefined): void {
  standEl.textContent = position ? `stand: positie ${position}` : '';
}

function markMenu(current: string): void {
  for (const link of menu.querySelectorAll<HTMLAnchorElement>('a[href]')) {
    if (link.getAttribute('href') === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function closeMenu(): void {
  menuButton.setAttribute('aria-expanded', 'false');
  menu.classList.remove('open');
}

async function render(focus: boolean): Promise<void> {
  const path = window.location.pathname;
  const query = new URLSearchParams(window.location.search);
  for (const fn of leaving) {
    try {
      fn();
    } catch {
      // a page's clean-up must not stop the next page
    }
  }
  leaving = [];
  controller?.abort();
  controller = new AbortController();
  const mine = ++renderCount;

  let route: Route | undefined;
  let params: string[] = [];
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m) {
      route = r;
      params = m.slice(1).map((p) => decodeURIComponent(p));
      break;
    }
  }
  markMenu(route?.menu ?? '');
  closeMenu();
  main.setAttribute('aria-busy', 'true');
  replace(main, Object.assign(document.createElement('p'), { className: 'laden', textContent: 'Laden…' }));

  const ctx: PageContext = {
    params,
    query,
    signal: controller.signal,
    onLeave: (fn) => leaving.push(fn),
    setStand,
    navigate,
  };

  // A filter that re-renders its own page keeps the keyboard focus on the same control.
  const active = document.activeElement;
  const keepFocus = !focus && active instanceof HTMLElement && main.contains(active) ? active.getAttribute('name') : null;

  let title = 'Pagina niet gevonden';
  const target = document.createElement('div');
  try {
    if (!route) {
      replace(target, pageNotFound());
    } else {
      title = await route.page(target, ctx);
    }
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return;
    if (mine !== renderCount) return;
    replace(target, headingFor('Er ging iets mis'), errorBox(err));
    title = 'Fout';
  }
  if (mine !== renderCount) return; // the user went elsewhere meanwhile
  replace(main, ...Array.from(target.childNodes));
  main.removeAttribute('aria-busy');
  const programme = document.getElementById('programmanaam')?.textContent || 'Sterk voor Noord';
  document.title = `${title} — wijkboek ${programme}`;
  if (keepFocus) {
    main.querySelector<HTMLElement>(`[name="${CSS.escape(keepFocus)}"]`)?.focus();
  } else if (focus) {
    const h1 = main.querySelector<HTMLElement>('h1');
    (h1 ?? main).focus();
    announcer.textContent = `${title} geladen`;
  }
}

function headingFor(text: string): HTMLElement {
  const h1 = document.createElement('h1');
  h1.tabIndex = -1;
  h1.textContent = text;
  return h1;
}

function pageNotFound(): DocumentFragment {
  const frag = document.createDocumentFragment();
  frag.appendChild(headingFor('Pagina niet gevonden'));
  const p = document.createElement('p');
  p.append('Deze pagina bestaat niet. Ga naar het ');
  const a = document.createElement('a');
  a.href = '/';
  a.textContent = 'overzicht';
  p.append(a, '.');
  frag.appendChild(p);
  return frag;
}

function navigate(url: string, replaceState = false): void {
  const target = new URL(url, window.location.href);
  if (replaceState) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  if (target.hash && target.pathname === window.location.pathname && !replaceState) {
    // in-page anchors are handled by the browser
  }
  void render(!replaceState);
  if (!replaceState) window.scrollTo(0, 0);
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || !(link instanceof HTMLAnchorElement)) return;
  if (link.target && link.target !== '_self') return;
  if (link.hasAttribute('download')) return;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (SERVER_PATHS.test(url.pathname)) return;
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => void render(true));

menuButton.addEventListener('click', () => {
  const open = menuButton.getAttribute('aria-expanded') !== 'true';
  menuButton.setAttribute('aria-expanded', String(open));
  menu.classList.toggle('open', open);
  if (open) menu.querySelector<HTMLElement>('a')?.focus();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && menu.classList.contains('open')) {
    closeMenu();
    menuButton.focus();
  }
});

// The programme's own name in the header once it is known.
loadNames()
  .then((names) => {
    const name = names.programme.name;
    if (name) {
      const el = document.getElementById('programmanaam');
      if (el) el.textContent = name;
    }
  })
  .catch(() => {
    // the page itself reports errors
  });

void render(false);
