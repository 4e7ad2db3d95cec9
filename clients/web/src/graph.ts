// The collaboration network with Cytoscape.js (loaded on demand, so pages without a graph stay
// light). The canvas is for looking; every graph on the page also has a list of the same
// partners and links for keyboard and screen-reader users.
import type cytoscape from 'cytoscape';
import { h } from './dom';
import { sectorFamily } from './labels';

export interface GraphNode {
  id: string;
  label: string;
  sector?: string;
  weight: number; // actions it owns or joins
  focus?: boolean; // the partner this page is about
}

export interface GraphEdge {
  a: string;
  b: string;
  weight: number; // shared actions
}

// One colour per family of sectors (see labels.ts), each at least 3:1 against the white canvas.
const FAMILY_COLOURS: Record<string, string> = {
  'Onderwijs en kinderopvang': '#1d4ed8',
  'Zorg en welzijn': '#15803d',
  'Wonen en leefomgeving': '#b45309',
  'Gemeente en politie': '#be123c',
  'Stichtingen en fondsen': '#7c3aed',
  Bewoners: '#0e7490',
  Overig: '#475569',
  'Sector onbekend': '#9ca3af',
};

export function sectorColour(sector: string | undefined): string {
  return FAMILY_COLOURS[sectorFamily(sector)] ?? '#475569';
}

export interface GraphOptions {
  label: string; // accessible description
  onSelect?: (id: string) => void;
  layout?: 'cose' | 'concentric';
  height?: string;
}

/** A container with the graph, zoom buttons and a colour legend per sector. */
export function collaborationGraph(nodes: GraphNode[], edges: GraphEdge[], options: GraphOptions, onLeave: (fn: () => void) => void): HTMLElement {
  const families = Object.keys(FAMILY_COLOURS).filter((f) => nodes.some((n) => sectorFamily(n.sector) === f));
  const canvas = h('div', { class: 'netwerk', role: 'img', 'aria-label': options.label });
  if (options.height) canvas.style.height = options.height;
  const status = h('p', { class: 'netwerk-status' }, 'Netwerk wordt getekend…');
  let cy: cytoscape.Core | null = null;

  const zoom = (factor: number) => {
    if (!cy) return;
    const box = cy.extent();
    cy.zoom({ level: cy.zoom() * factor, position: { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 } });
  };
  const buttons = h(
    'div',
    { class: 'netwerk-knoppen' },
    h('button', { type: 'button', onclick: () => zoom(1.25) }, 'Inzoomen'),
    h('button', { type: 'button', onclick: () => zoom(0.8) }, 'Uitzoomen'),
    h('button', { type: 'button', onclick: () => cy?.fit(undefined, 24) }, 'Passend maken'),
  );
  const legend = h(
    'ul',
    { class: 'legenda', 'aria-label': 'Kleuren per soort partner' },
    families.map((f) => h('li', null, swatch(FAMILY_COLOURS[f]), f)),
  );
  const box = h('div', { class: 'netwerk-blok' }, buttons, canvas, status, legend);

  let cancelled = false;
  onLeave(() => {
    cancelled = true;
    cy?.destroy();
  });

  void import('cytoscape')
    .then(({ default: cytoscapeFn }) => {
      if (cancelled) return;
      const start = () => {
        if (cancelled) return;
        if (!canvas.isConnected) {
          requestAnimationFrame(start);
          return;
        }
        const maxWeight = Math.max(1, ...nodes.map((n) => n.weight));
        cy = cytoscapeFn({
          container: canvas,
          elements: [
            ...nodes.map((n) => ({
              data: {
                id: n.id,
                label: n.label,
                colour: sectorColour(n.sector),
                size: 22 + 44 * Math.sqrt(n.weight / maxWeight),
              },
              classes: n.focus ? 'focus' : '',
            })),
            ...edges.map((e) => ({
              data: { id: `${e.a}--${e.b}`, source: e.a, target: e.b, width: Math.min(10, 1 + e.weight * 1.5) },
            })),
          ],
          style: [
            {
              selector: 'node',
              style: {
                'background-color': 'data(colour)',
                width: 'data(size)',
                height: 'data(size)',
                label: 'data(label)',
                'font-size': 17,
                color: '#111827',
                'text-outline-color': '#ffffff',
                'text-outline-width': 2,
                'text-valign': 'bottom',
                'text-margin-y': 3,
                'text-wrap': 'wrap',
                'text-max-width': '150px',
              },
            },
            { selector: 'node.focus', style: { 'border-width': 4, 'border-color': '#111827', 'font-weight': 'bold', 'font-size': 19 } },
            { selector: 'edge', style: { width: 'data(width)', 'line-color': '#94a3b8', opacity: 0.7, 'curve-style': 'haystack' } },
            { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#f59e0b' } },
          ],
          layout:
            options.layout === 'concentric'
              ? { name: 'concentric', animate: false, minNodeSpacing: 30, concentric: (node: cytoscape.NodeSingular) => (node.hasClass('focus') ? 2 : 1), levelWidth: () => 1 }
              : { name: 'cose', animate: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 70, gravity: 0.6, componentSpacing: 40, padding: 16, randomize: true, nodeDimensionsIncludeLabels: true } as cytoscape.LayoutOptions,
          userZoomingEnabled: false,
          boxSelectionEnabled: false,
          minZoom: 0.2,
          maxZoom: 3,
        });
        stretchToFit(cy, canvas);
        cy.on('tap', 'node', (event) => options.onSelect?.(event.target.id()));
        cy.on('mouseover', 'node', () => (canvas.style.cursor = options.onSelect ? 'pointer' : 'default'));
        cy.on('mouseout', 'node', () => (canvas.style.cursor = 'default'));
        status.textContent = `${nodes.length} partners, ${edges.length} samenwerkingen. Klik op een partner om die te openen; sleep om te verschuiven.`;
        box.dataset.klaar = 'true';
      };
      start();
    })
    .catch(() => {
      status.textContent = 'Het netwerk kon niet worden getekend; de lijst hieronder toont dezelfde gegevens.';
    });
  return box;
}

/** A force layout tends to come out round; a wide container is better used stretched a little. */
function stretchToFit(cy: cytoscape.Core, container: HTMLElement): void {
  const bb = cy.nodes().boundingBox({});
  const width = container.clientWidth;
  const height = container.clientHeight;
  if (bb.w <= 0 || bb.h <= 0 || width <= 0 || height <= 0) return;
  const want = width / height;
  const have = bb.w / bb.h;
  const cx = (bb.x1 + bb.x2) / 2;
  const cyy = (bb.y1 + bb.y2) / 2;
  if (have < want * 0.85) {
    const f = Math.min(want / have, 2.2);
    cy.nodes().positions((n) => ({ x: cx + (n.position('x') - cx) * f, y: n.position('y') }));
  } else if (have > want * 1.15) {
    const f = Math.min(have / want, 2.2);
    cy.nodes().positions((n) => ({ x: n.position('x'), y: cyy + (n.position('y') - cyy) * f }));
  }
  cy.fit(undefined, 16);
}

function swatch(colour: string): HTMLElement {
  const s = h('span', { class: 'kleur', 'aria-hidden': 'true' });
  s.style.backgroundColor = colour;
  return s;
}
