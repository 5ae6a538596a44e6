/* global document, window */
// Charts of the public results pages, drawn by the locally served Chart.js from the page's JSON data block.
// The tables beside each chart carry the same numbers for screen readers and printing.

const data = JSON.parse(document.getElementById('chart-data')?.textContent || 'null');
const Chart = window.Chart;
const vi = (x) => (x === null || x === undefined ? '–' : Number(x).toLocaleString('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const PRIMARY = '#0b4f8a';
const ACCENT = '#b3261e';

function bars(canvas, labels, values, opts = {}) {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: opts.label || 'Chỉ số', data: values, backgroundColor: opts.colors || PRIMARY, borderRadius: 3 }] },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      responsive: true,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${vi(ctx.parsed.x)}${opts.bands ? ` (${opts.bands[ctx.dataIndex] || ''})` : ''}` } },
      },
      scales: {
        x: { min: 0, max: 100, ticks: { callback: (v) => Number(v).toLocaleString('vi-VN') } },
        y: { ticks: { autoSkip: false, font: { size: 12 }, callback: function (v) { const s = this.getLabelForValue(v); return s.length > 28 ? `${s.slice(0, 27)}…` : s; } } },
      },
    },
  });
}

if (data && Chart) {
  const ranking = document.getElementById('bieu-do-xep-hang');
  if (ranking && data.type === 'ranking') {
    const top = Math.max(...data.values.filter((v) => v !== null));
    bars(ranking, data.labels, data.values, { bands: data.bands, colors: data.values.map((v) => (v === top ? ACCENT : PRIMARY)) });
  }
  const areas = document.getElementById('bieu-do-linh-vuc');
  if (areas && data.type === 'areas') bars(areas, data.labels, data.values, { label: 'Chỉ số lĩnh vực' });
  const history = document.getElementById('bieu-do-lich-su');
  if (history && data.history) {
    new Chart(history, {
      type: 'line',
      data: { labels: data.history.labels, datasets: [{ label: 'Chỉ số CCHC', data: data.history.values, borderColor: PRIMARY, backgroundColor: PRIMARY, tension: 0.2 }] },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `Chỉ số: ${vi(ctx.parsed.y)}` } } },
        scales: { y: { min: 0, max: 100, ticks: { callback: (v) => Number(v).toLocaleString('vi-VN') } } },
      },
    });
  }
}
