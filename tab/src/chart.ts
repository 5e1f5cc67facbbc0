import { BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, Filler);

export interface TrendPoint {
  day: string;
  nonCompliant: number;
  new: number;
  resolved: number;
}

/** Non-compliant per day as a line, new and resolved as bars: how it has moved over 90 days. */
export function drawTrend(canvas: HTMLCanvasElement, trend: TrendPoint[]): Chart {
  const chart = new Chart(canvas, {
    data: {
      labels: trend.map((p) => p.day),
      datasets: [
        { type: 'line', label: 'Non-compliant', data: trend.map((p) => p.nonCompliant), borderColor: '#c4314b', backgroundColor: 'rgba(196,49,75,0.12)', fill: true, tension: 0.25, pointRadius: 0, yAxisID: 'y' },
        { type: 'bar', label: 'New', data: trend.map((p) => p.new), backgroundColor: '#f7b955', yAxisID: 'y' },
        { type: 'bar', label: 'Resolved', data: trend.map((p) => p.resolved), backgroundColor: '#6bb700', yAxisID: 'y' },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 10 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  canvas.dataset['points'] = String(trend.length);
  canvas.dataset['drawn'] = 'true';
  return chart;
}
