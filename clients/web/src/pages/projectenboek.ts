// Projectenboek: the document the programme used to write by hand, generated from the log. The
// server renders it as a complete HTML document; it is shown in a sandboxed frame (no scripts),
// can be printed on its own, opened separately or downloaded as Markdown.
import { apiUrl, goToLogin } from '../api';
import { h, put } from '../dom';
import { loadNames } from '../names';
import { pageTitle, selectField, type PageContext } from '../ui';

export async function projectenboekPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const pijler = ctx.query.get('pijler') ?? '';
  const names = await loadNames();
  const params = { pillar: pijler || undefined };
  const htmlUrl = apiUrl('project-book', params);
  const markdownUrl = apiUrl('project-book', { ...params, format: 'markdown' });

  const response = await fetch(htmlUrl, { credentials: 'same-origin', signal: ctx.signal });
  if (response.status === 401) {
    goToLogin();
    throw new Error('U bent niet ingelogd.');
  }
  if (!response.ok) throw new Error(`Het projectenboek kon niet worden gemaakt (status ${response.status}).`);
  const html = await response.text();
  const stand = /positie\s+(\d+)/i.exec(html)?.[1];
  ctx.setStand(stand ?? names.programme.as_of_position);

  const pillar = selectField('Pijler', 'pijler', (names.programme.pillars ?? []).map((p) => ({ value: p.pillar_id ?? '', label: p.name ?? '' })), pijler, 'Alle pijlers');
  pillar.select.addEventListener('change', () => ctx.navigate(pillar.select.value ? `/projectenboek?pijler=${encodeURIComponent(pillar.select.value)}` : '/projectenboek', true));

  const frame = h('iframe', {
    class: 'boek',
    title: 'Projectenboek',
    sandbox: 'allow-same-origin allow-modals',
    srcdoc: html,
  });
  const fit = () => {
    const doc = frame.contentDocument;
    if (doc?.documentElement) frame.style.height = `${doc.documentElement.scrollHeight + 8}px`;
  };
  frame.addEventListener('load', fit);
  window.addEventListener('resize', fit);
  ctx.onLeave(() => window.removeEventListener('resize', fit));

  const printButton = h('button', { type: 'button' }, 'Afdrukken');
  printButton.addEventListener('click', () => {
    try {
      frame.contentWindow?.focus();
      frame.contentWindow?.print();
    } catch {
      window.open(htmlUrl, '_blank', 'noopener');
    }
  });
  const form = h('form', { class: 'filters', 'aria-label': 'Projectenboek' }, pillar.field, h('div', { class: 'knoppen' }, printButton, h('a', { class: 'knop secundair', href: htmlUrl, target: '_blank', rel: 'noopener' }, 'Open als los document'), h('a', { class: 'knop secundair', href: markdownUrl, download: 'projectenboek.md' }, 'Download als Markdown')));
  form.addEventListener('submit', (e) => e.preventDefault());

  put(main, 
    pageTitle('Projectenboek', 'Per pijler en doel: activiteit, resultaat en status — gemaakt uit het wijkboek, niet meer met de hand.'),
    form,
    h('div', { class: 'boek-rand' }, frame),
  );
  return 'Projectenboek';
}
