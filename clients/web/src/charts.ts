// Charts with Chart.js, registering only the parts we use so the bundle stays small. Every chart
// is a <canvas role="img"> with a text summary as its accessible name; the same figures are also
// on the page as text.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h } from './dom';
import { STATUS_COLOURS, STATUS_ORDER, num, shorten, statusName } from './labels';
import type { KpiView, PillarView } from './types';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 13;
Chart.defaults.color = '#1f2937';
Chart.defaults.animation = false; // calmer, and screenshots are stable

type Cleanup = (fn: () => void) => void;

function chartBox(label: string, height: number): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  canvas.textContent = label; // fallback content
  const box = h('div', { class: 'grafiek' }, canvas);
  box.style.height = `${height}px`;
  return { box, canvas };
}

/** Stacked horizontal bars: per pillar, its actions by status. */
export function statusPerPillarChart(pillars: PillarView[], onLeave: Cleanup): HTMLElement {
  const used = STATUS_ORDER.filter((s) => pillars.some((p) => (p.actions_by_status ?? []).some((c) => c.status === s && (c.count ?? 0) > 0)));
  const summary = pillars
    .map((p) => {
      const parts = (p.actions_by_status ?? []).map((c) => `${statusName(c.status)} ${c.count ?? 0}`);
      return `${p.name}: ${parts.length ? parts.join(', ') : 'geen acties'}`;
    })
    .join('; ');
  const { box, canvas } = chartBox(`Acties per status per pijler. ${summary}`, 90 + pillars.length * 48);
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: pillars.map((p) => wrap(p.name ?? p.pillar_id ?? '', 16)),
      datasets: used.map((status) => ({
        label: statusName(status),
        data: pillars.map((p) => (p.actions_by_status ?? []).find((c) => c.status === status)?.count ?? 0),
        backgroundColor: STATUS_COLOURS[status],
        borderColor: '#ffffff',
        borderWidth: 1,
      })),
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'aantal acties' } },
        y: { stacked: true },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${num(item.parsed.x ?? 0)}` } },
      },
    },
  };
  queueChart(canvas, config, onLeave);
  return box;
}

/** Horizontal bars: per KPI, how far it has come towards its 10- and 20-year targets (0–100 %). */
export function kpiProgressChart(kpis: KpiView[], onLeave: Cleanup): HTMLElement {
  const measured = kpis.filter((k) => (k.measurements ?? []).length > 0 || k.latest_value !== undefined);
  const summary = measured
    .map((k) => `${k.name}: ${num(k.progress_10y_percent ?? 0)}% van het streefcijfer na 10 jaar, ${num(k.progress_20y_percent ?? 0)}% na 20 jaar`)
    .join('; ');
  const { box, canvas } = chartBox(`Voortgang van de KPI's ten opzichte van de streefcijfers. ${summary}`, 80 + measured.length * 56);
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: measured.map((k) => wrap(shorten(k.name ?? k.kpi_id, 60), 24)),
      datasets: [
        { label: 'Streefcijfer na 10 jaar', data: measured.map((k) => k.progress_10y_percent ?? 0), backgroundColor: '#1d4ed8' },
        { label: 'Streefcijfer na 20 jaar', data: measured.map((k) => k.progress_20y_percent ?? 0), backgroundColor: '#0e7490' },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: '% van nulmeting naar streefcijfer' }, ticks: { callback: (v) => `${v}%` } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${num(item.parsed.x ?? 0)}%` } },
      },
    },
  };
  queueChart(canvas, config, onLeave);
  return box;
}

/** Splits a label into lines of at most `width` characters (Chart.js draws arrays as lines). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Charts need their canvas in the document to measure it: create them once it is attached. */
function queueChart(canvas: HTMLCanvasElement, config: ChartConfiguration<'bar'>, onLeave: Cleanup): void {
  let chart: Chart<'bar'> | null = null;
  let tries = 0;
  const attempt = () => {
    if (!canvas.isConnected) {
      if (++tries < 100) requestAnimationFrame(attempt);
      return;
    }
    chart = new Chart(canvas, config);
  };
  requestAnimationFrame(attempt);
  onLeave(() => {
    tries = 1000;
    chart?.destroy();
  });
}
