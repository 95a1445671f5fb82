// Small DOM helpers. Everything shown comes from the API, and model answers and request bodies are hostile
// text: it is only ever set as text (textContent), never parsed as HTML.

/** h('td', {class: 'num'}, 'text', childNode, [more]) builds an element; null children are skipped. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function table(headers, rows, attributes = {}) {
  return h('table', attributes,
      h('thead', {}, h('tr', {}, headers.map((header) => h('th', {}, header)))),
      h('tbody', {}, rows));
}

export function percent(value, digits = 1) {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : (value * 100).toFixed(digits) + '%';
}

export function number(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function ago(iso) {
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return '–';
  return seconds < 90 ? seconds + ' s ago' : Math.round(seconds / 60) + ' min ago';
}

export function badge(text, tone) {
  return h('span', { class: 'badge' + (tone ? ' ' + tone : '') }, text);
}

/** A JSON value as a short string for change lists: "absent" for null. */
export function shown(value) {
  return value === null || value === undefined ? 'absent' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A polyline of values in [0, 1], oldest first; red dots where flagged. */
export function sparkline(values, flagged, width = 160, height = 28) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  const step = values.length > 1 ? (width - 6) / (values.length - 1) : 0;
  const points = values.map((value, i) => [3 + i * step, 3 + (1 - value) * (height - 6)]);
  const line = document.createElementNS(svg.namespaceURI, 'polyline');
  line.setAttribute('points', points.map((p) => p.join(',')).join(' '));
  svg.append(line);
  points.forEach((point, i) => {
    if (!flagged[i]) return;
    const dot = document.createElementNS(svg.namespaceURI, 'circle');
    dot.setAttribute('class', 'drift');
    dot.setAttribute('cx', point[0]);
    dot.setAttribute('cy', point[1]);
    dot.setAttribute('r', 3);
    svg.append(dot);
  });
  return svg;
}
