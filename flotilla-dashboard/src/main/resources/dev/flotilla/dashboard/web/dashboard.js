// The Flotilla dashboard: shows the run that api/events pushes (the same JSON as api/state) as it changes.
'use strict';

(function () {
  const el = (id) => document.getElementById(id);
  const dash = '–';
  let lastView = null;
  let receivedAt = 0;

  function fixed(value, digits) {
    return value === null || value === undefined ? dash : Number(value).toFixed(digits);
  }

  function bytes(n) {
    if (n === null || n === undefined) return dash;
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = n;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, '0');
    return h > 0 ? h + 'h' + String(m).padStart(2, '0') + 'm' + rest + 's' : m + 'm' + rest + 's';
  }

  // central evaluation when the round had one, else federated
  const accuracyOf = (r) => (r.accuracy !== null ? r.accuracy : r.fedAccuracy);
  const lossOf = (r) => (r.loss !== null ? r.loss : r.fedLoss);
  const epsilonOf = (r) => (r.metrics && r.metrics.epsilon !== undefined ? r.metrics.epsilon : null);

  // a resumed run's rounds up to resumedAfter ran before the restart: drawn dashed and paler
  const isEarlier = (view, round) => view.resumedAfter !== null && view.resumedAfter !== undefined
    && round <= view.resumedAfter;

  const charts = {};

  function makeCharts() {
    const common = { responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: 'index', intersect: false } };
    charts.quality = new Chart(el('quality-chart'), {
      type: 'line',
      data: { labels: [], datasets: [
        { label: 'accuracy', data: [], yAxisID: 'accuracy', borderColor: '#0969da', backgroundColor: '#0969da',
          spanGaps: true },
        { label: 'loss', data: [], yAxisID: 'loss', borderColor: '#cf222e', backgroundColor: '#cf222e',
          spanGaps: true }] },
      options: Object.assign({}, common, { scales: {
        x: { title: { display: true, text: 'round' } },
        accuracy: { type: 'linear', position: 'left', min: 0, max: 1, title: { display: true, text: 'accuracy' } },
        loss: { type: 'linear', position: 'right', grid: { drawOnChartArea: false },
          title: { display: true, text: 'loss' } } } })
    });
    charts.bytes = new Chart(el('bytes-chart'), {
      type: 'bar',
      data: { labels: [], datasets: [
        { label: 'up', data: [], backgroundColor: '#8250df' },
        { label: 'down', data: [], backgroundColor: '#1a7f37' }] },
      options: Object.assign({}, common, { scales: {
        x: { title: { display: true, text: 'round' } },
        y: { beginAtZero: true, title: { display: true, text: 'bytes' } } } })
    });
    charts.privacy = new Chart(el('privacy-chart'), {
      type: 'line',
      data: { labels: [], datasets: [{ label: 'ε', data: [], borderColor: '#9a6700', backgroundColor: '#9a6700' }] },
      options: Object.assign({}, common, { scales: {
        x: { title: { display: true, text: 'round' } },
        y: { beginAtZero: true, title: { display: true, text: 'ε' } } } })
    });
  }

  function updateCharts(view) {
    const records = view.records;
    const labels = records.map((r) => r.round);
    const earlierLine = { borderDash: (ctx) => (isEarlier(view, labels[ctx.p1DataIndex]) ? [4, 4] : undefined) };
    charts.quality.data.datasets.forEach((d) => { d.segment = earlierLine; });
    charts.quality.data.labels = labels;
    charts.quality.data.datasets[0].data = records.map(accuracyOf);
    charts.quality.data.datasets[1].data = records.map(lossOf);
    charts.quality.update('none');
    // one unit for the whole chart, the largest that keeps the biggest bar at 1 or more
    const most = Math.max(1, ...records.map((r) => Math.max(r.bytesUp, r.bytesDown)));
    const unit = [['GB', 1e9], ['MB', 1e6], ['kB', 1e3], ['bytes', 1]].find(([, f]) => most >= f);
    charts.bytes.data.labels = labels;
    charts.bytes.data.datasets[0].data = records.map((r) => r.bytesUp / unit[1]);
    charts.bytes.data.datasets[1].data = records.map((r) => r.bytesDown / unit[1]);
    charts.bytes.data.datasets[0].backgroundColor = labels.map((n) => (isEarlier(view, n) ? '#c8b3f0' : '#8250df'));
    charts.bytes.data.datasets[1].backgroundColor = labels.map((n) => (isEarlier(view, n) ? '#a8d5b5' : '#1a7f37'));
    charts.bytes.options.scales.y.title.text = unit[0];
    charts.bytes.update('none');
    const withEpsilon = records.filter((r) => epsilonOf(r) !== null);
    el('privacy-figure').hidden = withEpsilon.length === 0;
    charts.privacy.data.labels = withEpsilon.map((r) => r.round);
    charts.privacy.data.datasets[0].data = withEpsilon.map(epsilonOf);
    charts.privacy.update('none');
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function updateClients(view) {
    const body = el('clients').tBodies[0];
    const rows = [];
    for (const c of view.clients) {
      const tr = document.createElement('tr');
      tr.dataset.clientId = c.id;
      tr.dataset.connected = String(c.connected);
      cell(tr, c.id);
      cell(tr, c.connected ? 'connected' : 'disconnected', 'connection');
      cell(tr, c.phase ? c.lastRound : '', 'num');
      cell(tr, c.phase);
      cell(tr, c.outcome, c.outcome && c.outcome !== 'ok' ? 'outcome-failed' : '');
      cell(tr, c.outcome === 'ok' ? c.numExamples : '', 'num');
      cell(tr, c.outcome === 'ok' ? fixed(c.loss, 4) : '', 'num');
      cell(tr, c.outcome === 'ok' && c.accuracy !== null ? fixed(c.accuracy, 4) : '', 'num');
      cell(tr, c.reason, 'reason');
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    const hidden = view.clientsSeen - view.clients.length;
    el('clients-count').textContent = view.clientsSeen + ' seen' + (hidden > 0 ? ', ' + hidden + ' not listed' : '');
  }

  function updateRounds(view) {
    const rows = view.records.slice().reverse().map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.round = String(r.round);
      const earlier = isEarlier(view, r.round);
      if (earlier) tr.className = 'earlier';
      cell(tr, r.round, 'num');
      cell(tr, fixed(accuracyOf(r), 4), 'num');
      cell(tr, fixed(lossOf(r), 4), 'num');
      cell(tr, r.clientsOk, 'num');
      cell(tr, r.clientsFailed, 'num');
      cell(tr, fixed(r.seconds, 1), 'num');
      cell(tr, bytes(r.bytesUp), 'num');
      cell(tr, bytes(r.bytesDown), 'num');
      cell(tr, earlier ? 'before the resume' : '', 'earlier-mark');
      return tr;
    });
    el('rounds').tBodies[0].replaceChildren(...rows);
  }

  function updateFailures(view) {
    const rows = view.failures.map((f) => {
      const tr = document.createElement('tr');
      cell(tr, f.round, 'num');
      cell(tr, f.phase);
      cell(tr, f.clientId);
      cell(tr, f.kind, 'outcome-failed');
      cell(tr, f.reason, 'reason');
      return tr;
    });
    el('failures').tBodies[0].replaceChildren(...rows);
    const kinds = Object.entries(view.failuresByKind);
    el('failure-count').textContent = kinds.reduce((sum, [, n]) => sum + n, 0);
    el('failure-kinds').textContent = kinds.map(([k, n]) => k.toLowerCase() + ' ' + n).join(', ');
  }

  function updatePrivacy(records) {
    const last = records.length ? records[records.length - 1].metrics : {};
    const shown = last.epsilon !== undefined || last.local_epsilon !== undefined;
    el('privacy').hidden = !shown;
    if (!shown) return;
    el('epsilon').textContent = last.epsilon !== undefined ? 'ε ' + fixed(last.epsilon, 3)
      : 'local ε ' + fixed(last.local_epsilon, 3);
    const parts = [];
    if (last.delta !== undefined) parts.push('δ ' + Number(last.delta).toExponential(1));
    if (last.epsilon !== undefined && last.local_epsilon !== undefined) {
      parts.push('local ε ' + fixed(last.local_epsilon, 3));
    }
    if (last.dp_clip !== undefined) parts.push('clip ' + fixed(last.dp_clip, 3));
    if (last.dp_noise_std !== undefined) parts.push('noise σ ' + Number(last.dp_noise_std).toPrecision(3));
    el('privacy-detail').textContent = parts.join(', ');
  }

  function show(view) {
    lastView = view;
    receivedAt = performance.now();
    el('title').textContent = view.title;
    el('status').textContent = view.status;
    el('status').dataset.status = view.status;
    const resumed = view.resumedAfter !== null && view.resumedAfter !== undefined;
    el('resumed').hidden = !resumed;
    el('resumed').textContent = resumed ? 'resumed after round ' + view.resumedAfter : '';
    const waiting = view.status === 'running' && view.connected < view.minClients;
    el('detail').textContent = view.detail
      || (waiting ? 'waiting for clients: ' + view.connected + ' of ' + view.minClients + ' connected' : '');
    el('round').textContent = view.rounds > 0 ? view.round + ' / ' + view.rounds : String(view.round);
    const records = view.records;
    const last = records.length ? records[records.length - 1] : null;
    el('accuracy').textContent = last ? fixed(accuracyOf(last), 4) : dash;
    el('loss').textContent = last ? fixed(lossOf(last), 4) : dash;
    el('connected').textContent = view.connected;
    el('traffic').textContent = bytes(view.bytesUp) + ' / ' + bytes(view.bytesDown);
    updateCharts(view);
    updatePrivacy(records);
    updateRounds(view);
    updateClients(view);
    updateFailures(view);
    tick();
  }

  function tick() {
    if (!lastView) return;
    const running = lastView.status === 'running';
    const extra = running ? (performance.now() - receivedAt) / 1000 : 0;
    el('elapsed').textContent = duration(lastView.elapsedSeconds + extra);
  }

  function setLive(state, text) {
    el('live').dataset.live = state;
    el('live').textContent = text;
  }

  function connect() {
    const events = new EventSource('api/events');
    events.addEventListener('state', (e) => {
      setLive('live', 'live');
      show(JSON.parse(e.data));
    });
    events.onerror = () => setLive('lost', 'connection lost; retrying');
  }

  document.addEventListener('DOMContentLoaded', () => {
    makeCharts();
    connect();
    setInterval(tick, 1000);
  });
}());
